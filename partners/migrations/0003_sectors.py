from django.db import migrations

SECTORS = ["po", "so", "vo", "mbo", "hbo", "wo", "kinderopvang"]


def create_sectors(apps, schema_editor):
    Sector = apps.get_model("partners", "Sector")
    for position, code in enumerate(SECTORS):
        Sector.objects.update_or_create(code=code, defaults={"position": position})


def delete_sectors(apps, schema_editor):
    apps.get_model("partners", "Sector").objects.filter(code__in=SECTORS).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_initial")]

    operations = [migrations.RunPython(create_sectors, delete_sectors)]
