"""Why a backup or a restore stopped: each error says what is wrong and what to do (the commands print it, exit 1)."""


class BackupError(Exception):
    """Base of the backup errors."""


class BackupOutputNotEmpty(BackupError):
    """The output directory already holds files: a backup is never written over another."""


class BackupSourceDamaged(BackupError):
    """A stored document is missing or does not match its row: the installation itself needs attention."""


class BackupToolFailed(BackupError):
    """pg_dump or pg_restore failed (or cannot be found)."""


class BackupIncomplete(BackupError):
    """The directory has no manifest: the backup was interrupted, or this is not a backup."""


class BackupDamaged(BackupError):
    """The manifest cannot be read, or a file of the backup is missing or does not match it."""


class BackupNotRestorable(BackupError):
    """The backup cannot go into this installation (a newer version's migrations, a missing database role)."""


class RestoreTargetNotEmpty(BackupError):
    """The target database or document store already holds data: a restore never overwrites an installation."""


class RestoreMismatch(BackupError):
    """After the restore, a document or a table does not match the manifest."""
