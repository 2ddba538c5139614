#!/usr/bin/env bash
# Vendors the NL Design System (Utrecht) component CSS, the Noto Sans font and axe-core into
# the repository, so that neither the portal nor its browser tests fetch anything at run time
# and no CDN is used. The versions are pinned exactly in package.json / package-lock.json:
#
#   @utrecht/component-library-css 9.0.4   -> static/vendor/utrecht/component-library.css
#   @fontsource-variable/noto-sans 5.2.10  -> static/vendor/noto-sans/ (latin subset only)
#
# The portal's design tokens (colours, font, radii) are its own CSS custom properties in
# static/css/portal.css. The Utrecht design tokens are not used: their licence says they are
# proprietary assets of Gemeente Utrecht.
#   axe-core 4.14.1                        -> tests/browser/vendor/axe.min.js
#
# To upgrade: change the versions in package.json, run `npm install`, run this script,
# update the list above, run the browser tests and commit the result.
set -euo pipefail

cd "$(dirname "$0")/.."

npm ci --ignore-scripts --no-audit --no-fund

version() {
    node -p "require('./node_modules/$1/package.json').version"
}

banner() {
    printf '/*! Vendored by scripts/vendor-static.sh from %s@%s (%s). Do not edit. */\n' \
        "$1" "$(version "$1")" "$2"
}

utrecht=static/vendor/utrecht
font=static/vendor/noto-sans
axe=tests/browser/vendor
rm -rf "$utrecht" "$font"
mkdir -p "$utrecht" "$font" "$axe"

{
    banner @utrecht/component-library-css EUPL-1.2
    cat node_modules/@utrecht/component-library-css/dist/index.css
} >"$utrecht/component-library.css"
cp node_modules/@utrecht/component-library-css/LICENSE.md "$utrecht/LICENSE.md"

fontsource=node_modules/@fontsource-variable/noto-sans
cp "$fontsource/files/noto-sans-latin-wght-normal.woff2" "$font/"
cp "$fontsource/LICENSE" "$font/LICENSE"
{
    banner @fontsource-variable/noto-sans OFL-1.1
    # Only the latin subset, upright: enough for Dutch and English.
    awk '/\/\* noto-sans-latin-wght-normal \*\//{p=1} p{print} p&&/^}/{exit}' \
        "$fontsource/index.css" | sed 's#\./files/##'
} >"$font/noto-sans.css"

{
    printf '/*! Vendored by scripts/vendor-static.sh from axe-core@%s (MPL-2.0). Do not edit. */\n' \
        "$(version axe-core)"
    cat node_modules/axe-core/axe.min.js
} >"$axe/axe.min.js"
cp node_modules/axe-core/LICENSE "$axe/LICENSE"

echo "Vendored:"
ls -l "$utrecht" "$font" "$axe"
