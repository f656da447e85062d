"""Creating many rows and their history rows at once, as a legacy import does.

On PostgreSQL the rows and their history rows are written with COPY, the way the
database loads data fastest: ids are taken from the table's sequence first, so that
children can point at parents created in the same call. Django's bulk_create would
prepare every value of every row in Python for an INSERT statement, which took most of a
10,000-row import's time (bench/import_at_scale.py). Elsewhere (SQLite) the rows go
through django-simple-history's bulk_create_with_history.

Either way the rows get the history rows that django-simple-history would have written
for them (type "+", the user, the time), in the caller's transaction.
"""

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# Rows written by one statement where a database takes INSERTs.
BATCH = 500

# Field types whose Python value the database adapter takes as it is: their value is
# copied without Django's per-value preparation. Others are prepared field by field.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def create_with_history(objs, model, *, user):
    """Save the new, unsaved `objs` of `model` and their history rows, by `user` (or each
    object's `_history_user`). Their foreign keys may point at objects saved by an
    earlier call. Returns the objects, saved, with their ids."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return bulk_create_with_history(objs, model, batch_size=BATCH, default_user=user)
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        _take_ids(model, objs)
        _copy(model, objs, _row_maker(model, now))
        history = model.history.model
        _copy(history, objs, _history_row_maker(history, now, user), skip_pk=True)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _take_ids(model, objs):
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
    # A foreign key set to an object saved since (as a parent goal is, by the call before
    # its children's) gets that object's id now.
    relations = [field for field in model._meta.concrete_fields if field.is_relation]
    for obj in objs:
        cache = obj._state.fields_cache
        for field in relations:
            related = cache.get(field.cache_name)
            if related is not None and getattr(obj, field.attname) is None:
                if related.pk is None:
                    raise ValueError(f"{obj!r}: its {field.name} is not saved yet")
                setattr(obj, field.attname, related.pk)


def _value_reader(field, now):
    """How to read the field's database value from an object about to be created."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):

        def read(obj):
            setattr(obj, field.attname, now)
            return now

        return read
    if field.get_internal_type() in PLAIN_TYPES:
        attname = field.attname
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def _row_maker(model, now):
    readers = [_value_reader(field, now) for field in model._meta.concrete_fields]
    return lambda obj: [read(obj) for read in readers]


def _history_row_maker(history, now, user):
    """A history row of a created object, as django-simple-history writes one."""
    tracked = {field.attname for field in history.tracked_fields}
    readers = []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in tracked:
            readers.append(_value_reader(field, now))
        elif field.name == "history_date":
            readers.append(lambda obj: now)
        elif field.name == "history_type":
            readers.append(lambda obj: "+")
        elif field.name == "history_change_reason":
            readers.append(lambda obj: None)
        elif field.name == "history_user":
            readers.append(lambda obj: _pk(getattr(obj, "_history_user", None) or user))
        else:
            raise ValueError(f"{history.__name__}.{field.name}: no value for a created row")
    return lambda obj: [read(obj) for read in readers]


def _pk(user):
    return user.pk if user is not None else None


def _copy(model, objs, make_row, *, skip_pk=False):
    fields = [f for f in model._meta.concrete_fields if not (skip_pk and f.primary_key)]
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            copy.write_row(make_row(obj))
