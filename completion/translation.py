"""A certificate keeps what it certifies in every language of the site, as
it was at issue: the module's title and the issuing organisation. It prints
in its holder's language; the public check page reads in the visitor's."""

from modeltranslation.translator import TranslationOptions, register

from completion.models import Certificate


@register(Certificate)
class CertificateTranslation(TranslationOptions):
    fields = ("module_title", "issuing_organisation")
