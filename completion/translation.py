"""A certificate keeps what it certifies in every language of the site, as
it was at issue: the module's title and the issuing organisation. It prints
in its holder's language; the public check page reads in the visitor's.

A certificate's audit trail (its issue, and its revocation: who, when, why)
is registered after its translations have added their columns (see
cases/translation.py); the other audited models of this app declare theirs."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from completion.models import Certificate


@register(Certificate)
class CertificateTranslation(TranslationOptions):
    fields = ("module_title", "issuing_organisation")


simple_history.register(Certificate)
