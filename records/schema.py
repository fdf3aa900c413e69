"""Tables of the system of record (SQLAlchemy Core, so SQLite or PostgreSQL by URL)."""

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The original's SHA-256: a file that held several documents (a batch scan)
    # gives one document per part, all of the one original.
    Column("sha256", String(64), nullable=False),
    Column("part", Integer, nullable=False, default=1, server_default="1"),
    Column("first_page", Integer, nullable=False, default=1, server_default="1"),  # in the original
    Column("source_name", Text, nullable=False),
    Column("file_format", String(16), nullable=False),
    Column("department", Text),
    Column("doc_type", String(40), nullable=False),
    Column("type_score", Float, nullable=False, default=0.0),
    Column("title", Text, nullable=False, default=""),
    Column("pages", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("flags", Text, nullable=False, default="[]"),  # JSON list of review flags
    Column("ingested_at", String(32), nullable=False),
    Column("ingested_by", Text, nullable=False),
    UniqueConstraint("sha256", "part", name="documents_original_part"),
)

pages = Table(
    "pages",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("rotation", Integer, nullable=False),
    Column("skew", Float, nullable=False),
    Column("mean_confidence", Float),
    Column("words", Text, nullable=False),  # JSON [[text, confidence, left, top, width, height, line]]
    # JSON: what read the page (engine, version, model files and SHA-256, settings, steps)
    Column("reader", Text, nullable=False, default="{}", server_default="{}"),
)

# One row per field and document: ``state`` is "filled" (the value counts) or
# "review" (a candidate a person must confirm; not part of the document's fields).
fields = Table(
    "fields",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),  # JSON scalar
    Column("state", String(8), nullable=False),
    Column("source", String(16), nullable=False),  # ocr, text_layer, barcode, staff
    Column("page", Integer),
    Column("confidence", Float),
    Column("raw", Text, nullable=False, default=""),
    Column("updated_at", String(32), nullable=False),
    Column("updated_by", Text, nullable=False),
)

field_history = Table(
    "field_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("name", String(40), nullable=False),
    Column("old_value", Text),  # JSON scalar or NULL
    Column("new_value", Text),
    Column("actor", Text, nullable=False),
    Column("at", String(32), nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("patient_id", String(32)),
    Column("item", String(20), nullable=False),
    Column("month", String(7), nullable=False),
    Column("reason", Text),
    Column("actor", Text, nullable=False),
    Column("at", String(32), nullable=False),
    UniqueConstraint("document_id", "item", "month"),
)

claims = Table(
    "claims",
    metadata,
    Column("patient_id", String(32), primary_key=True),
    Column("item", String(20), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("actor", Text, nullable=False),
    Column("at", String(32), nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),  # name inside the quarantine folder
    Column("source_path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("department", Text),
    Column("state", String(16), nullable=False),  # quarantined, discarded, retried
    Column("at", String(32), nullable=False),
)

# Accounting of every file the watcher or ``ingest`` took in, by its inbox path.
intake = Table(
    "intake",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("state", String(16), nullable=False),  # queued, in_progress, stored, duplicate, quarantined
    Column("document_id", Integer),
    Column("reason", Text),
    Column("updated_at", String(32), nullable=False),
    Index("intake_state", "state"),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(40), nullable=False),
    Column("document_id", Integer),
    Column("details", Text, nullable=False),  # JSON object
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("mac", String(64)),  # HMAC of hash under the audit key (records/seal.py)
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    # Raised at sign-out, password change and disabling: a session made under an older
    # generation is refused, so a copied cookie stops working.
    Column("session_generation", Integer, nullable=False, default=0, server_default="0"),
    Column("disabled_at", String(32)),  # set while the account may not sign in
)


# Patients leaving a ward (退院 or 転棟) for the 在宅復帰率 monitor: one row per patient,
# ward and day, so importing the same export twice adds nothing.
discharges = Table(
    "discharges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(32), nullable=False),
    Column("ward", String(64), nullable=False),
    Column("exit_date", String(10), nullable=False),  # ISO date; a later one is a planned discharge
    Column("kind", String(12), nullable=False),  # discharge (退院) or transfer (転棟)
    Column("destination", Text, nullable=False),
    Column("death", Boolean, nullable=False),
    Column("readmission", Boolean, nullable=False),
    Column("short_stay_surgery", Boolean, nullable=False),
    Column("holds_addition", Boolean, nullable=False),
    Column("source", String(8), nullable=False),  # import or staff (a staff value is not overwritten by an import)
    Column("updated_at", String(32), nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("patient_id", "ward", "exit_date", name="discharges_patient_ward_day"),
    Index("discharges_exit_date", "exit_date"),
)

# Documents in the trash (issue 15): a person deleted them with a reason. They leave
# lists, search and claims, but the document's rows and original stay until an admin
# purges them after the retention period; a restore removes the row here.
trash = Table(
    "trash",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("at", String(32), nullable=False),
)

# Columns added after a database was first created: (table, column). ``create_all``
# makes missing tables only; these are added to an older database on opening.
ADDED_COLUMNS = (("pages", "reader"), ("users", "session_generation"), ("users", "disabled_at"), ("audit", "mac"))


def add_missing_columns(engine) -> None:
    """Bring an older database's tables up to this schema's columns."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn

    _documents_with_parts(engine)
    inspector = inspect(engine)
    for table_name, column_name in ADDED_COLUMNS:
        if column_name in {c["name"] for c in inspector.get_columns(table_name)}:
            continue
        column = metadata.tables[table_name].c[column_name]
        ddl = CreateColumn(column).compile(dialect=engine.dialect)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE {table_name} ADD COLUMN {ddl}")


def _documents_with_parts(engine) -> None:
    """An older documents table (one document per original, sha256 unique) rebuilt
    with the part columns, ids and rows unchanged. SQLite cannot drop a constraint,
    so the table is copied: in one transaction, with foreign keys off meanwhile."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateTable

    if "part" in {c["name"] for c in inspect(engine).get_columns("documents")}:
        return
    old_columns = [c["name"] for c in inspect(engine).get_columns("documents")]
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            for constraint in inspect(engine).get_unique_constraints("documents"):
                if constraint["column_names"] == ["sha256"]:
                    conn.exec_driver_sql(f'ALTER TABLE documents DROP CONSTRAINT "{constraint["name"]}"')
            conn.exec_driver_sql("ALTER TABLE documents ADD COLUMN part INTEGER NOT NULL DEFAULT 1")
            conn.exec_driver_sql("ALTER TABLE documents ADD COLUMN first_page INTEGER NOT NULL DEFAULT 1")
            conn.exec_driver_sql("ALTER TABLE documents ADD CONSTRAINT documents_original_part UNIQUE (sha256, part)")
        return
    ddl = str(CreateTable(documents).compile(dialect=engine.dialect)).replace(
        "CREATE TABLE documents", "CREATE TABLE documents_with_parts", 1)
    names = ", ".join(old_columns)
    # On the driver's own connection: the engine begins every transaction itself
    # (BEGIN IMMEDIATE), inside which SQLite ignores the foreign-keys pragma.
    raw = engine.raw_connection()
    db = raw.driver_connection
    level = db.isolation_level
    try:
        db.isolation_level = None
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DROP TABLE IF EXISTS documents_with_parts")
            db.execute(ddl)
            db.execute(f"INSERT INTO documents_with_parts ({names}) SELECT {names} FROM documents")
            db.execute("DROP TABLE documents")
            db.execute("ALTER TABLE documents_with_parts RENAME TO documents")
            db.execute("COMMIT")
        except Exception:
            db.execute("ROLLBACK")
            raise
        finally:
            db.execute("PRAGMA foreign_keys=ON")
    finally:
        db.isolation_level = level
        raw.close()
