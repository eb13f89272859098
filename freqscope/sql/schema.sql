-- The freqscope database schema. Documented for users in docs/schema.md: keep the two in step.
-- Every statement is idempotent; store.open_database runs this file on each connection that may write.

CREATE TABLE IF NOT EXISTS freqscope_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Class lists ("taxonomies"), their classes, and the terms searched for.
CREATE TABLE IF NOT EXISTS taxonomies (
    taxonomy    VARCHAR PRIMARY KEY,
    source      VARCHAR NOT NULL,       -- builtin:NAME, a CSV path, or import:FILE
    n_classes   INTEGER NOT NULL,
    n_terms     INTEGER NOT NULL,
    fingerprint VARCHAR NOT NULL,       -- changes whenever a class or term changes
    options     JSON NOT NULL,          -- how terms were expanded (hyponyms, wordnet, ...)
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS classes (
    taxonomy        VARCHAR NOT NULL,
    class_index     INTEGER NOT NULL,   -- position in the list; classes are distinct by index
    class           VARCHAR NOT NULL,
    wnid            VARCHAR,            -- WordNet 3.0 id such as n01440764
    duplicate_name  BOOLEAN NOT NULL,   -- another class of the list has the same name
    wordnet_guessed BOOLEAN NOT NULL,   -- wnid from the first noun sense, not given
    PRIMARY KEY (taxonomy, class_index)
);

CREATE TABLE IF NOT EXISTS terms (
    taxonomy       VARCHAR NOT NULL,
    term_id        INTEGER NOT NULL,    -- stable within a taxonomy while its fingerprint holds
    class_index    INTEGER NOT NULL,
    term           VARCHAR NOT NULL,    -- surface text
    words          VARCHAR NOT NULL,    -- normalised words, space separated
    origin         VARCHAR NOT NULL,    -- name | synonym | curated (data/terms origins) | wordnet | hyponym | generic | plural | singular
    ambiguous      BOOLEAN NOT NULL,    -- the same words stand for several classes of the taxonomy
    wordnet_senses INTEGER,             -- WordNet noun senses of the term (precision risk)
    tier           VARCHAR,             -- name | specific | context | blocked | generic
    tier_reason    VARCHAR,             -- why: the rule or curated row that set the tier
    PRIMARY KEY (taxonomy, term_id)
);
-- (columns added after the first release: a database made before them gains them, empty until its lists are
-- stored again, which their changed fingerprints make the next index do)
ALTER TABLE terms ADD COLUMN IF NOT EXISTS tier VARCHAR;
ALTER TABLE terms ADD COLUMN IF NOT EXISTS tier_reason VARCHAR;

-- The words a class's context terms need in the same text, and the phrases that count for no class.
CREATE TABLE IF NOT EXISTS context_words (
    taxonomy    VARCHAR NOT NULL,
    class_index INTEGER NOT NULL,
    context     VARCHAR NOT NULL,       -- surface text
    words       VARCHAR NOT NULL,       -- normalised words, space separated
    origin      VARCHAR NOT NULL        -- qualifier | hypernym | curated | list | plural | singular
);

CREATE TABLE IF NOT EXISTS block_phrases (
    taxonomy    VARCHAR NOT NULL,       -- the list that brought it (it blocks in every list matched with it)
    phrase      VARCHAR NOT NULL,
    words       VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,       -- data/terms/block.csv's origin, list, verb rule
    reason      VARCHAR
);

CREATE TABLE IF NOT EXISTS block_heads (
    taxonomy    VARCHAR NOT NULL,       -- the list whose counted terms it silences when it follows them
    head        VARCHAR NOT NULL,       -- one word: "towel", "towels"
    words       VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,       -- data/terms/heads.csv's origin, plural
    reason      VARCHAR
);

-- Corpora and the source files (shards) they were read from.
CREATE TABLE IF NOT EXISTS corpora (
    corpus      VARCHAR PRIMARY KEY,
    format      VARCHAR NOT NULL,       -- parquet, csv, tsv, json, jsonl, coco, flickr8k, text, llava, imported
    kind        VARCHAR NOT NULL,       -- captions | instructions | imported
    text_column VARCHAR,
    rules       JSON NOT NULL,          -- the matching rules used, see docs/schema.md
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE IF NOT EXISTS source_id_seq;

CREATE TABLE IF NOT EXISTS sources (
    source_id      INTEGER PRIMARY KEY DEFAULT nextval('source_id_seq'),
    corpus         VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,    -- absolute path or URL
    row_start      BIGINT NOT NULL DEFAULT 0,   -- a shard may be a row range of a large file
    row_end        BIGINT,                      -- exclusive; NULL: to the end of the file
    bytes          BIGINT,
    fingerprint    VARCHAR,             -- content hash of a file; size and mtime of a URI
    status         VARCHAR NOT NULL,    -- done | failed
    n_docs         BIGINT,              -- documents read (one per caption, record or sample)
    n_rows         BIGINT,              -- texts read (instruction data: one per turn)
    n_invalid_utf8 BIGINT,              -- texts whose invalid UTF-8 was replaced
    error          VARCHAR,
    pattern_set    VARCHAR,             -- the patterns its pattern_matches refer to
    indexed_at     TIMESTAMP,
    UNIQUE (corpus, path, row_start)
);

-- Which taxonomies each source has been matched against, with the list's fingerprint at the time.
CREATE TABLE IF NOT EXISTS source_taxonomies (
    source_id            INTEGER NOT NULL,
    taxonomy             VARCHAR NOT NULL,
    taxonomy_fingerprint VARCHAR NOT NULL,
    indexed_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (source_id, taxonomy)
);

-- The patterns a source was searched for, and the classes and terms each stands for. A pattern set is built
-- from class lists (at their fingerprints) and matching rules; sources.pattern_set names the one a source used.
CREATE TABLE IF NOT EXISTS patterns (
    pattern_set VARCHAR NOT NULL,       -- a hash of the lists, their fingerprints and the rules
    pattern_id  INTEGER NOT NULL,       -- what pattern_matches.pattern_id refers to
    words       VARCHAR NOT NULL,       -- the normalised words searched for, space separated
    taxonomy    VARCHAR NOT NULL,
    class_index INTEGER NOT NULL,
    term_id     INTEGER NOT NULL,       -- the class's term with these words (its first, where several)
    PRIMARY KEY (pattern_set, pattern_id, taxonomy, class_index)
);

-- Every match, per document and pattern: the provenance of each count. Caption corpora are written here,
-- instruction corpora (per turn role) to pattern_matches_by_role; the `matches` view (views.sql) expands both
-- to the classes and terms each pattern stands for: query that. Lean on purpose, as the index writes millions
-- of rows: integers only (a role column, even left NULL, makes each insert ~80% slower), and no NOT NULL
-- checks (~15%); the index is their only writer. Each column's compression is named: DuckDB otherwise tries
-- every method on every column segment it writes, which was a quarter of the cost of writing these rows, to
-- pick these (a constant source, ascending docs and small pattern ids bit-packed, counts that are nearly all 1).
CREATE TABLE IF NOT EXISTS pattern_matches (
    source_id   INTEGER USING COMPRESSION rle,
    doc         BIGINT USING COMPRESSION bitpacking,  -- the document's row in its source file (0-based)
    pattern_id  INTEGER USING COMPRESSION bitpacking,
    n           INTEGER USING COMPRESSION rle         -- occurrences of the pattern in this document
);

CREATE TABLE IF NOT EXISTS pattern_matches_by_role (
    source_id   INTEGER,
    doc         BIGINT,
    role        VARCHAR,                -- human | gpt (another speaker lowercased)
    pattern_id  INTEGER,
    n           INTEGER                 -- occurrences of the pattern in this document and role
);

-- The source's own id (COCO image id, LLaVA id) of each matched document that has one.
CREATE TABLE IF NOT EXISTS document_keys (
    source_id   INTEGER NOT NULL,
    doc         BIGINT NOT NULL,
    doc_key     VARCHAR NOT NULL
);

-- Per source and class: documents and matches, overall and per role, written with the source's matches.
-- A document belongs to one source, so these add up over sources; the exposure view sums them.
CREATE TABLE IF NOT EXISTS source_counts (
    source_id      INTEGER NOT NULL,
    taxonomy       VARCHAR NOT NULL,
    class_index    INTEGER NOT NULL,
    docs           BIGINT NOT NULL,
    mentions       BIGINT NOT NULL,
    docs_human     BIGINT NOT NULL,
    mentions_human BIGINT NOT NULL,
    docs_gpt       BIGINT NOT NULL,
    mentions_gpt   BIGINT NOT NULL,
    docs_context       BIGINT DEFAULT 0,    -- documents where a context term counted (its context was there)
    mentions_context   BIGINT DEFAULT 0,
    PRIMARY KEY (source_id, taxonomy, class_index)
);
ALTER TABLE source_counts ADD COLUMN IF NOT EXISTS docs_context BIGINT DEFAULT 0;
ALTER TABLE source_counts ADD COLUMN IF NOT EXISTS mentions_context BIGINT DEFAULT 0;

-- The documents where a class's context term counted: a context word of the class was in the same text.
CREATE TABLE IF NOT EXISTS context_docs (
    source_id   INTEGER,
    doc         BIGINT,
    taxonomy    VARCHAR,
    class_index INTEGER
);

-- Published counts brought in with `freqscope counts import` (a corpus of kind 'imported').
CREATE TABLE IF NOT EXISTS imported_counts (
    corpus      VARCHAR NOT NULL,
    taxonomy    VARCHAR NOT NULL,
    class_index INTEGER NOT NULL,
    docs        BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    PRIMARY KEY (corpus, taxonomy, class_index)
);

-- Per-class accuracy: imported (`freqscope accuracy import`) ...
CREATE TABLE IF NOT EXISTS accuracy_imports (
    model       VARCHAR NOT NULL,
    taxonomy    VARCHAR NOT NULL,
    class_index INTEGER NOT NULL,
    accuracy    DOUBLE NOT NULL,        -- a fraction in [0, 1]
    n           INTEGER,                -- images of the class, where known
    source_file VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (model, taxonomy, class_index)
);

-- ... or measured (`freqscope infer`): one run per model, method and dataset.
CREATE SEQUENCE IF NOT EXISTS run_id_seq;

CREATE TABLE IF NOT EXISTS runs (
    run_id      INTEGER PRIMARY KEY DEFAULT nextval('run_id_seq'),
    model       VARCHAR NOT NULL,       -- the name accuracy is reported under
    model_path  VARCHAR NOT NULL,       -- local path or hub id
    method      VARCHAR NOT NULL,       -- open | closed | likelihood | clip
    taxonomy    VARCHAR NOT NULL,
    dataset     VARCHAR NOT NULL,
    prompt      VARCHAR,
    settings    JSON NOT NULL,
    versions    JSON NOT NULL,          -- python, torch, transformers, freqscope
    status      VARCHAR NOT NULL,       -- running | done
    started_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS predictions (
    run_id          INTEGER NOT NULL,
    image           VARCHAR NOT NULL,   -- path or dataset key
    label_index     INTEGER NOT NULL,   -- true class_index
    predicted_index INTEGER,            -- NULL: no class recognised, or the image failed
    answer          VARCHAR,            -- raw model output (open / closed methods)
    score           DOUBLE,             -- log-probability or similarity of the predicted class
    error           VARCHAR,            -- why the image could not be used
    PRIMARY KEY (run_id, image)
);

-- Manual precision judgements from `freqscope audit --import`.
CREATE TABLE IF NOT EXISTS audit_labels (
    corpus      VARCHAR NOT NULL,
    taxonomy    VARCHAR NOT NULL,
    class_index INTEGER NOT NULL,
    source_id   INTEGER NOT NULL,
    doc         BIGINT NOT NULL,
    relevant    BOOLEAN NOT NULL,
    labelled_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (corpus, taxonomy, class_index, source_id, doc)
);

-- Results of `freqscope analyze`: one row per analysis, its statistics per counting variant, and its bins.
CREATE SEQUENCE IF NOT EXISTS analysis_id_seq;

CREATE TABLE IF NOT EXISTS analyses (
    analysis_id    INTEGER PRIMARY KEY DEFAULT nextval('analysis_id_seq'),
    model          VARCHAR NOT NULL,
    taxonomies     VARCHAR[] NOT NULL,  -- pooled class lists
    corpora        VARCHAR[] NOT NULL,  -- corpora whose exposures were summed
    settings       JSON NOT NULL,       -- bins, drop_low, drop_high, tail_fraction, bootstrap, seed, count
    db_fingerprint VARCHAR NOT NULL,    -- freqscope.analysis.database_fingerprint at the time
    result         JSON NOT NULL,       -- the whole result, as `freqscope analyze --format json` prints it
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS analysis_statistics (
    analysis_id INTEGER NOT NULL,
    variant     VARCHAR NOT NULL,       -- 'main', or a sensitivity variant such as 'corpus:laion400m'
    statistic   VARCHAR NOT NULL,       -- spearman | kendall | pearson_log | binned_pearson | head_tail
    value       DOUBLE,                 -- head_tail: head minus tail mean accuracy
    ci_low      DOUBLE,                 -- bootstrap 95% interval (main variant only)
    ci_high     DOUBLE,
    p_value     DOUBLE,
    n           INTEGER,                -- classes (binned_pearson: bins kept)
    PRIMARY KEY (analysis_id, variant, statistic)
);

CREATE TABLE IF NOT EXISTS analysis_bins (
    analysis_id   INTEGER NOT NULL,
    binning       VARCHAR NOT NULL,     -- log: FDP's equal-width bins over log count | decade: [0,10), [10,100), ...
    bin           INTEGER NOT NULL,
    lower         DOUBLE,               -- log: natural-log edges; decade: counts
    upper         DOUBLE,
    n             INTEGER NOT NULL,
    mean_accuracy DOUBLE,
    std_accuracy  DOUBLE,
    kept          BOOLEAN NOT NULL,     -- log: used in the fit (not empty, not a dropped edge bin)
    PRIMARY KEY (analysis_id, binning, bin)
);
