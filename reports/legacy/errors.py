from django.utils.translation import gettext as _


class LegacyFileError(Exception):
    """A file that cannot be imported at all; names the file and, where it applies, the line."""

    def __init__(self, filename, message, line=None):
        self.filename = filename
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self):
        if self.line is None:
            return f"{self.filename}: {self.message}"
        return f"{self.filename}: " + _("line %(line)s") % {"line": self.line} + f": {self.message}"
