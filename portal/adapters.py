from allauth.account.adapter import DefaultAccountAdapter

from portal.mail import queue_message


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up (users are invited), and allauth's e-mails go through the outbox."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
        )
        queue_message(to=email, subject=message.subject, body_text=message.body, body_html=html)
