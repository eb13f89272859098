/* The matcher's compiled core (freqscope/matcher.py, freqscope/phrases.py), the loops that Polars has no
 * vectorised form of. Texts are read in place, in Arrow's string-view layout (Polars' own), chunk by chunk:
 * `views` is a sequence of buffers, each chunk's views, and `data` a sequence, each chunk's data buffers.
 * Every scan releases the GIL.
 *
 * PhraseIndex(patterns, case_sensitive) holds patterns given as their normalised words joined by single
 * spaces (b"sea lion"), pattern i having id i. search(views, data, rows, normalized, every) finds them in texts
 * with the matching rules of freqscope.matcher: a word is a maximal run of word bytes (ASCII letters and
 * digits, and every byte >= 0x80), ASCII letters are lowercased unless case_sensitive, and within a text the
 * longest pattern starting at the leftmost word wins, matches never overlapping (or, with `every`, every
 * pattern at every word, as context words are looked for). That is the rules' notion of
 * a word only for ASCII texts and for texts already normalised by the Polars path (NFKC, case folding,
 * non-letters and non-digits made spaces), so other texts are skipped and listed unless `normalized`.
 * Optionally (the term tiers), some patterns are silent (block phrases: they win, and are not reported), and
 * a text where a pattern that asks for context matched is searched with a second PhraseIndex too, every
 * pattern at every word (the context words of context terms). Head words (`heads`) silence a match too: a
 * pattern whose head groups (`pattern_head_groups`, a uint32 bit mask a pattern) share a bit with those of the
 * word right after its match (`head_groups`, a mask a head) wins with that word and is not reported ("beach"
 * + "towel": the list's heads, data/terms/heads.csv), as a block phrase of the two would.
 *
 * TextMemo numbers distinct texts across batches (further down); tally() and expand() turn matches into what
 * each text contains (a context term's class counted only where a context word serving it was found), and
 * that into one row per (document, pattern) (at the end).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t hash;
    uint64_t head;   /* the word's first 8 bytes, zero-padded: the whole word when it is no longer */
    uint32_t id;     /* 1-based; 0 marks an empty slot */
    uint32_t length; /* the bytes after the first 8 are in the arena, at word_offset[id] + 8 */
} WordSlot;

typedef struct {
    uint64_t key;    /* node << 32 | word id; 0 marks an empty slot (word ids start at 1) */
    uint32_t child;
} EdgeSlot;

typedef struct PhraseIndex_ {
    PyObject_HEAD
    const unsigned char *word_bytes; /* byte -> itself as part of a word (ASCII letters lowercased unless
                                        case-sensitive), or 0 for a separator */
    char *arena;
    WordSlot *words;
    uint64_t word_mask;
    uint32_t *word_offset; /* by word id: where its bytes are in the arena */
    uint32_t max_word_length;
    EdgeSlot *edges;
    uint64_t edge_mask;
    uint32_t *root_child;  /* by word id: the root's edges, the most frequent lookup */
    uint64_t *word_filter; /* a bit per top bits of a word hash, set for the patterns' words: most words of a
                              text are in no pattern, and this small table (in the first-level cache) turns most
                              of them away without a probe of the larger `words` */
    unsigned filter_shift; /* a hash's bit in word_filter: hash >> filter_shift */
    int32_t *node_pattern; /* by node: the pattern ending there, or -1 */
    uint32_t n_nodes;
    uint32_t n_patterns;
    unsigned char *pattern_flags; /* by pattern: PATTERN_SILENT, PATTERN_ASKS_CONTEXT (NULL: none) */
    uint32_t *pattern_heads; /* by pattern: the head groups whose words after its match silence it (NULL: none) */
    uint32_t *word_heads;    /* by word id: the head groups it is a head word of (NULL: no heads) */
    struct PhraseIndex_ *context; /* searched, every pattern at every word, in each text where a pattern that
                                     asks for it matched (NULL: none) */
} PhraseIndex;

/* A silent pattern wins by the longest-match rule but is not reported (block phrases); a match of a pattern
 * that asks for context has its text searched for the context index's patterns as well (context terms: the
 * few texts that hold one are searched for their class's context words while the text is in the cache). */
#define PATTERN_SILENT 1
#define PATTERN_ASKS_CONTEXT 2

static unsigned char FOLDED_WORD_BYTES[256], EXACT_WORD_BYTES[256];

static void fill_word_byte_tables(void) {
    for (int c = 0; c < 256; c++) {
        int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
        EXACT_WORD_BYTES[c] = word ? (unsigned char)c : 0;
        FOLDED_WORD_BYTES[c] = word ? (unsigned char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c) : 0;
    }
}

/* A word's hash from its first 8 bytes (`head`, zero-padded) and, for a longer word, the rest of `word`
 * (zero-padded to a multiple of 8 bytes past `length`). A word never holds a zero byte, so `head` alone is
 * exact for words of up to 8 bytes, and most words are: they are cut and hashed without touching memory. */
static inline uint64_t hash_word(uint64_t head, const unsigned char *word, size_t length) {
    uint64_t h = ((length * 0x9E3779B97F4A7C15ULL) ^ head) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    for (size_t i = 8; i < length; i += 8) {
        uint64_t chunk;
        memcpy(&chunk, word + i, 8);
        h = (h ^ chunk) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return h;
}

static inline uint64_t mix_edge(uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return key;
}

static uint64_t table_size(size_t entries) {
    uint64_t size = 16;
    while (size < 2 * (uint64_t)entries + 1) size <<= 1;
    return size;
}

static uint32_t find_word(const PhraseIndex *self, uint64_t head, const unsigned char *word, size_t length,
                          uint64_t hash) {
    uint64_t slot = hash & self->word_mask;
    for (;;) {
        const WordSlot *entry = &self->words[slot];
        if (entry->id == 0) return 0;
        if (entry->hash == hash && entry->head == head && entry->length == length
            && (length <= 8 || memcmp(self->arena + self->word_offset[entry->id] + 8, word + 8, length - 8) == 0))
            return entry->id;
        slot = (slot + 1) & self->word_mask;
    }
}

/* The first 8 bytes of a word (zero-padded), as the scan gathers them. */
static inline uint64_t word_head(const unsigned char *word, size_t length) {
    uint64_t head = 0;
    memcpy(&head, word, length < 8 ? length : 8);
    return head;
}

static uint32_t find_child(const PhraseIndex *self, uint32_t node, uint32_t word) {
    if (node == 0) return self->root_child[word];
    uint64_t key = ((uint64_t)node << 32) | word;
    uint64_t slot = mix_edge(key) & self->edge_mask;
    for (;;) {
        const EdgeSlot *entry = &self->edges[slot];
        if (entry->key == 0) return 0;
        if (entry->key == key) return entry->child;
        slot = (slot + 1) & self->edge_mask;
    }
}

static void PhraseIndex_dealloc(PhraseIndex *self) {
    PyMem_Free(self->arena);
    PyMem_Free(self->words);
    PyMem_Free(self->word_offset);
    PyMem_Free(self->edges);
    PyMem_Free(self->root_child);
    PyMem_Free(self->node_pattern);
    PyMem_Free(self->word_filter);
    PyMem_Free(self->pattern_flags);
    PyMem_Free(self->pattern_heads);
    PyMem_Free(self->word_heads);
    Py_XDECREF((PyObject *)self->context);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The words of a pattern (separated by single spaces), registered where new; their ids go to `ids`. */
static Py_ssize_t pattern_word_ids(PhraseIndex *self, const char *text, Py_ssize_t length, uint32_t *ids,
                                   unsigned char *word, size_t *arena_used, uint32_t *n_words) {
    Py_ssize_t count = 0, i = 0;
    while (i < length) {
        while (i < length && text[i] == ' ') i++;
        Py_ssize_t start = i;
        while (i < length && text[i] != ' ') i++;
        if (i == start) break;
        size_t word_length = (size_t)(i - start);
        memcpy(word, text + start, word_length);
        memset(word + word_length, 0, 8);
        uint64_t head = word_head(word, word_length);
        uint64_t hash = hash_word(head, word, word_length);
        uint32_t id = word_length <= self->max_word_length ? find_word(self, head, word, word_length, hash) : 0;
        if (id == 0) {
            uint64_t slot = hash & self->word_mask;
            while (self->words[slot].id != 0) slot = (slot + 1) & self->word_mask;
            memcpy(self->arena + *arena_used, word, word_length);
            id = ++*n_words;
            self->words[slot] = (WordSlot){hash, head, id, (uint32_t)word_length};
            self->word_offset[id] = (uint32_t)*arena_used;
            *arena_used += word_length;
            if (word_length > self->max_word_length) self->max_word_length = (uint32_t)word_length;
        }
        ids[count++] = id;
    }
    return count;
}

static void insert_edge(PhraseIndex *self, uint64_t key, uint32_t child) {
    uint64_t slot = mix_edge(key) & self->edge_mask;
    while (self->edges[slot].key != 0) slot = (slot + 1) & self->edge_mask;
    self->edges[slot] = (EdgeSlot){key, child};
}

/* The tables again, sized for the words and edges there are (they were sized for an upper bound while
 * building): small tables stay in the cache during the scan. */
static int shrink_tables(PhraseIndex *self, uint32_t n_words) {
    uint64_t size = table_size(n_words);
    WordSlot *words = PyMem_Calloc(size, sizeof(WordSlot));
    if (words == NULL) return -1;
    for (uint64_t slot = 0; slot <= self->word_mask; slot++) {
        WordSlot entry = self->words[slot];
        if (entry.id == 0) continue;
        uint64_t target = entry.hash & (size - 1);
        while (words[target].id != 0) target = (target + 1) & (size - 1);
        words[target] = entry;
    }
    PyMem_Free(self->words);
    self->words = words;
    self->word_mask = size - 1;
    EdgeSlot *old_edges = self->edges;
    uint64_t old_mask = self->edge_mask;
    size = table_size(self->n_nodes);
    self->edges = PyMem_Calloc(size, sizeof(EdgeSlot));
    if (self->edges == NULL) {
        self->edges = old_edges;
        return -1;
    }
    self->edge_mask = size - 1;
    for (uint64_t slot = 0; slot <= old_mask; slot++)
        if (old_edges[slot].key != 0) insert_edge(self, old_edges[slot].key, old_edges[slot].child);
    PyMem_Free(old_edges);
    /* ~32 bits a word (at least 4,096): about 3% of the words in no pattern pass the filter */
    unsigned filter_log2 = 12;
    while (filter_log2 < 26 && ((uint64_t)1 << filter_log2) < 32 * (uint64_t)n_words) filter_log2++;
    self->filter_shift = 64 - filter_log2;
    self->word_filter = PyMem_Calloc(((size_t)1 << filter_log2) / 64, sizeof(uint64_t));
    if (self->word_filter == NULL) return -1;
    for (uint64_t slot = 0; slot <= self->word_mask; slot++) {
        if (self->words[slot].id == 0) continue;
        uint64_t bit = self->words[slot].hash >> self->filter_shift;
        self->word_filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
    }
    return 0;
}

static PyTypeObject PhraseIndexType;

/* The flags of `n_patterns` patterns from two optional buffers of a byte a pattern (nonzero: set), or -1 with
 * an exception. */
static int read_pattern_flags(PhraseIndex *self, Py_ssize_t n_patterns, PyObject *silent_arg, PyObject *asking_arg) {
    PyObject *args[2] = {silent_arg, asking_arg};
    const unsigned char flags[2] = {PATTERN_SILENT, PATTERN_ASKS_CONTEXT};
    for (int a = 0; a < 2; a++) {
        if (args[a] == Py_None) continue;
        Py_buffer buffer;
        if (PyObject_GetBuffer(args[a], &buffer, PyBUF_SIMPLE) < 0) return -1;
        if (buffer.len != n_patterns) {
            PyBuffer_Release(&buffer);
            PyErr_SetString(PyExc_ValueError, "silent and asking must hold a byte a pattern");
            return -1;
        }
        if (self->pattern_flags == NULL) self->pattern_flags = PyMem_Calloc(n_patterns ? n_patterns : 1, 1);
        if (self->pattern_flags == NULL) {
            PyBuffer_Release(&buffer);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t p = 0; p < n_patterns; p++)
            if (((const unsigned char *)buffer.buf)[p]) self->pattern_flags[p] |= flags[a];
        PyBuffer_Release(&buffer);
    }
    return 0;
}

/* A copy of a buffer of `n` uint32 (`what` names it in the error), or NULL with an exception. */
static uint32_t *read_uint32s(PyObject *arg, Py_ssize_t n, const char *what) {
    Py_buffer buffer;
    if (PyObject_GetBuffer(arg, &buffer, PyBUF_SIMPLE) < 0) return NULL;
    if (buffer.len != n * (Py_ssize_t)sizeof(uint32_t)) {
        PyBuffer_Release(&buffer);
        PyErr_Format(PyExc_ValueError, "%s must hold a uint32 each", what);
        return NULL;
    }
    uint32_t *copy = PyMem_Malloc((n ? n : 1) * sizeof(uint32_t));
    if (copy == NULL) PyErr_NoMemory();
    else memcpy(copy, buffer.buf, n * sizeof(uint32_t));
    PyBuffer_Release(&buffer);
    return copy;
}

static int PhraseIndex_init(PhraseIndex *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"patterns", "case_sensitive", "silent", "asking", "context", "heads", "head_groups",
                               "pattern_head_groups", NULL};
    PyObject *patterns_arg, *silent_arg = Py_None, *asking_arg = Py_None, *context_arg = Py_None;
    PyObject *heads_arg = Py_None, *head_groups_arg = Py_None, *pattern_head_groups_arg = Py_None;
    int case_sensitive = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p$OOOOOO", keywords, &patterns_arg, &case_sensitive,
                                     &silent_arg, &asking_arg, &context_arg, &heads_arg, &head_groups_arg,
                                     &pattern_head_groups_arg))
        return -1;
    if ((heads_arg == Py_None) != (head_groups_arg == Py_None)
        || (heads_arg == Py_None) != (pattern_head_groups_arg == Py_None)) {
        PyErr_SetString(PyExc_TypeError, "heads, head_groups and pattern_head_groups go together");
        return -1;
    }
    if (self->arena != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "PhraseIndex is already initialised");
        return -1;
    }
    if (context_arg != Py_None) {
        if (!PyObject_TypeCheck(context_arg, &PhraseIndexType) || ((PhraseIndex *)context_arg)->arena == NULL
            || ((PhraseIndex *)context_arg)->context != NULL) {
            PyErr_SetString(PyExc_TypeError, "context must be an initialised PhraseIndex without a context of its own");
            return -1;
        }
        if (((PhraseIndex *)context_arg)->word_bytes != (case_sensitive ? EXACT_WORD_BYTES : FOLDED_WORD_BYTES)) {
            PyErr_SetString(PyExc_ValueError, "context must cut words as this index does (case_sensitive alike)");
            return -1;
        }
    }
    PyObject *patterns = PySequence_Fast(patterns_arg, "patterns must be a sequence of bytes");
    if (patterns == NULL) return -1;
    Py_ssize_t n_patterns = PySequence_Fast_GET_SIZE(patterns);
    if (read_pattern_flags(self, n_patterns, silent_arg, asking_arg) < 0) {
        Py_DECREF(patterns);
        return -1;
    }
    self->n_patterns = (uint32_t)n_patterns;
    PyObject *heads = NULL;
    Py_ssize_t n_heads = 0;
    if (heads_arg != Py_None) {
        heads = PySequence_Fast(heads_arg, "heads must be a sequence of bytes");
        if (heads == NULL) {
            Py_DECREF(patterns);
            return -1;
        }
        n_heads = PySequence_Fast_GET_SIZE(heads);
        self->pattern_heads = read_uint32s(pattern_head_groups_arg, n_patterns, "pattern_head_groups");
        uint32_t *groups = self->pattern_heads ? read_uint32s(head_groups_arg, n_heads, "head_groups") : NULL;
        if (groups == NULL) {
            Py_DECREF(heads);
            Py_DECREF(patterns);
            return -1;
        }
        self->word_heads = groups; /* by head for now: by word id once the words are registered */
    }
    if (context_arg != Py_None) {
        Py_INCREF(context_arg);
        self->context = (PhraseIndex *)context_arg;
    }
    size_t total_bytes = 0, total_words = 0, longest = 0;
    for (Py_ssize_t p = 0; p < n_patterns; p++) {
        PyObject *pattern = PySequence_Fast_GET_ITEM(patterns, p);
        if (!PyBytes_Check(pattern)) {
            PyErr_SetString(PyExc_TypeError, "patterns must be bytes");
            Py_DECREF(patterns);
            return -1;
        }
        size_t length = (size_t)PyBytes_GET_SIZE(pattern);
        const char *bytes = PyBytes_AS_STRING(pattern);
        total_bytes += length;
        total_words += 1; /* at most one word more than spaces: the tables are sized from this */
        for (size_t i = 0; i < length; i++) total_words += bytes[i] == ' ';
        if (length > longest) longest = length;
    }
    for (Py_ssize_t h = 0; h < n_heads; h++) {
        PyObject *head = PySequence_Fast_GET_ITEM(heads, h);
        if (!PyBytes_Check(head) || PyBytes_GET_SIZE(head) == 0 || memchr(PyBytes_AS_STRING(head), ' ', PyBytes_GET_SIZE(head))) {
            PyErr_SetString(PyExc_TypeError, "heads must be bytes, one word each");
            Py_DECREF(heads);
            Py_DECREF(patterns);
            return -1;
        }
        total_bytes += (size_t)PyBytes_GET_SIZE(head);
        total_words += 1;
        if ((size_t)PyBytes_GET_SIZE(head) > longest) longest = (size_t)PyBytes_GET_SIZE(head);
    }
    self->word_bytes = case_sensitive ? EXACT_WORD_BYTES : FOLDED_WORD_BYTES;
    self->word_mask = table_size(total_words) - 1;
    self->edge_mask = table_size(total_words) - 1;
    self->arena = PyMem_Malloc(total_bytes + 1);
    self->words = PyMem_Calloc(self->word_mask + 1, sizeof(WordSlot));
    self->word_offset = PyMem_Calloc(total_words + 1, sizeof(uint32_t));
    self->edges = PyMem_Calloc(self->edge_mask + 1, sizeof(EdgeSlot));
    self->root_child = PyMem_Calloc(total_words + 1, sizeof(uint32_t));
    self->node_pattern = PyMem_Malloc((total_words + 1) * sizeof(int32_t));
    uint32_t *ids = PyMem_Malloc((longest + 1) * sizeof(uint32_t)); /* a pattern's words, at most one a byte */
    unsigned char *word = PyMem_Malloc(longest + 9);
    if (!self->arena || !self->words || !self->word_offset || !self->edges || !self->root_child
        || !self->node_pattern || !ids || !word) {
        PyMem_Free(ids);
        PyMem_Free(word);
        Py_XDECREF(heads);
        Py_DECREF(patterns);
        PyErr_NoMemory();
        return -1;
    }
    size_t arena_used = 0;
    uint32_t n_words = 0;
    self->n_nodes = 1;
    self->node_pattern[0] = -1;
    for (Py_ssize_t p = 0; p < n_patterns; p++) {
        PyObject *pattern = PySequence_Fast_GET_ITEM(patterns, p);
        Py_ssize_t count = pattern_word_ids(self, PyBytes_AS_STRING(pattern), PyBytes_GET_SIZE(pattern), ids, word,
                                            &arena_used, &n_words);
        uint32_t node = 0;
        for (Py_ssize_t w = 0; w < count; w++) {
            uint32_t child = find_child(self, node, ids[w]);
            if (child == 0) {
                child = self->n_nodes++;
                self->node_pattern[child] = -1;
                if (node == 0) self->root_child[ids[w]] = child;
                else insert_edge(self, ((uint64_t)node << 32) | ids[w], child);
            }
            node = child;
        }
        if (count > 0 && self->node_pattern[node] < 0) self->node_pattern[node] = (int32_t)p;
    }
    if (heads != NULL) {  /* the head words join the word table (a word of no pattern: no edge from the root) */
        uint32_t *by_head = self->word_heads;
        self->word_heads = PyMem_Calloc(total_words + 1, sizeof(uint32_t));
        if (self->word_heads == NULL) {
            PyMem_Free(by_head);
            PyMem_Free(ids);
            PyMem_Free(word);
            Py_DECREF(heads);
            Py_DECREF(patterns);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t h = 0; h < n_heads; h++) {
            PyObject *head = PySequence_Fast_GET_ITEM(heads, h);
            pattern_word_ids(self, PyBytes_AS_STRING(head), PyBytes_GET_SIZE(head), ids, word, &arena_used, &n_words);
            self->word_heads[ids[0]] |= by_head[h];
        }
        PyMem_Free(by_head);
        Py_DECREF(heads);
    }
    PyMem_Free(ids);
    PyMem_Free(word);
    Py_DECREF(patterns);
    if (shrink_tables(self, n_words) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------------------------------------- helpers */

typedef struct {
    uint32_t *data;
    size_t length, capacity;
} Growable;

static int grow_push(Growable *array, uint32_t value) {
    if (array->length == array->capacity) {
        size_t capacity = array->capacity ? array->capacity * 2 : 4096;
        uint32_t *data = PyMem_RawRealloc(array->data, capacity * sizeof(uint32_t));
        if (data == NULL) return -1;
        array->data = data;
        array->capacity = capacity;
    }
    array->data[array->length++] = value;
    return 0;
}

/* The array as bytes (native uint32), its memory freed; NULL with an exception set on failure. */
static PyObject *as_bytes(Growable *array) {
    PyObject *result = PyBytes_FromStringAndSize((const char *)array->data, (Py_ssize_t)(array->length * sizeof(uint32_t)));
    PyMem_RawFree(array->data);
    array->data = NULL;
    return result;
}

/* A tuple of `items`, which it takes over; NULL with every item released if any is NULL (an error is set). */
static PyObject *steal_tuple(Py_ssize_t n, PyObject **items) {
    PyObject *tuple = NULL;
    int complete = 1;
    for (Py_ssize_t i = 0; i < n; i++) complete = complete && items[i] != NULL;
    if (complete) tuple = PyTuple_New(n);
    if (tuple == NULL) {
        for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(items[i]);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) PyTuple_SET_ITEM(tuple, i, items[i]);
    return tuple;
}

/* A column of texts in Arrow's string-view layout, as Polars holds it (so it is read without a copy), in one
 * or more chunks: 16 bytes a text, its length first, then the text itself if at most 12 bytes, else its
 * first 4 bytes, the index of the chunk's data buffer that holds it and its offset there. */
typedef struct {
    Py_ssize_t n_chunks, n_texts;
    Py_buffer *views;         /* by chunk */
    Py_ssize_t *chunk_start;  /* by chunk: the number of its first text; n_texts at [n_chunks] */
    Py_buffer *data;          /* every chunk's data buffers, chunk after chunk */
    Py_ssize_t *data_start;   /* by chunk: where its data buffers start in `data`; their count at [n_chunks] */
    Py_ssize_t views_open, data_open;  /* how many of `views` and `data` hold a buffer to release */
} Texts;

static void texts_close(Texts *texts) {
    for (Py_ssize_t i = 0; i < texts->data_open; i++) PyBuffer_Release(&texts->data[i]);
    for (Py_ssize_t c = 0; c < texts->views_open; c++) PyBuffer_Release(&texts->views[c]);
    PyMem_Free(texts->views);
    PyMem_Free(texts->chunk_start);
    PyMem_Free(texts->data);
    PyMem_Free(texts->data_start);
    memset(texts, 0, sizeof(Texts));
}

/* Whether a chunk's views all lie within its data buffers. */
static int chunk_valid(const Texts *texts, Py_ssize_t c) {
    const Py_buffer *views = &texts->views[c];
    const Py_buffer *data = texts->data + texts->data_start[c];
    Py_ssize_t n_data = texts->data_start[c + 1] - texts->data_start[c];
    if (views->len % 16 != 0) return 0;
    const unsigned char *view = views->buf, *end = view + views->len;
    for (; view < end; view += 16) {
        int32_t length, buffer, offset;
        memcpy(&length, view, 4);
        memcpy(&buffer, view + 8, 4);
        memcpy(&offset, view + 12, 4);
        if (length < 0 || (length > 12 && (buffer < 0 || buffer >= n_data || offset < 0
                                            || (Py_ssize_t)offset + length > data[buffer].len)))
            return 0;
    }
    return 1;
}

/* Opens the chunks (`views`: a buffer per chunk; `data`: per chunk, a sequence of its data buffers), checking
 * that every text lies within them: 0, or -1 with an exception. */
static int texts_open(PyObject *views_arg, PyObject *data_arg, Texts *texts) {
    memset(texts, 0, sizeof(Texts));
    PyObject *views = PySequence_Fast(views_arg, "views must be a sequence of buffers, one per chunk");
    if (views == NULL) return -1;
    PyObject *data = PySequence_Fast(data_arg, "data must be a sequence of sequences of buffers, one per chunk");
    if (data == NULL) {
        Py_DECREF(views);
        return -1;
    }
    Py_ssize_t n_chunks = PySequence_Fast_GET_SIZE(views);
    PyObject **chunk_data = PyMem_Calloc(n_chunks ? n_chunks : 1, sizeof(PyObject *));
    int status = -1;
    if (chunk_data == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (PySequence_Fast_GET_SIZE(data) != n_chunks) {
        PyErr_SetString(PyExc_ValueError, "views and data must have one entry per chunk");
        goto done;
    }
    texts->views = PyMem_Calloc(n_chunks ? n_chunks : 1, sizeof(Py_buffer));
    texts->chunk_start = PyMem_Calloc(n_chunks + 1, sizeof(Py_ssize_t));
    texts->data_start = PyMem_Calloc(n_chunks + 1, sizeof(Py_ssize_t));
    if (texts->views == NULL || texts->chunk_start == NULL || texts->data_start == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    texts->n_chunks = n_chunks;
    for (Py_ssize_t c = 0; c < n_chunks; c++) {
        chunk_data[c] = PySequence_Fast(PySequence_Fast_GET_ITEM(data, c), "each chunk's data must be a sequence of buffers");
        if (chunk_data[c] == NULL) goto done;
        texts->data_start[c + 1] = texts->data_start[c] + PySequence_Fast_GET_SIZE(chunk_data[c]);
    }
    texts->data = PyMem_Calloc(texts->data_start[n_chunks] ? texts->data_start[n_chunks] : 1, sizeof(Py_buffer));
    if (texts->data == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < n_chunks; c++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(views, c), &texts->views[c], PyBUF_SIMPLE) < 0) goto done;
        texts->views_open++;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(chunk_data[c]); i++) {
            if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(chunk_data[c], i), &texts->data[texts->data_open],
                                   PyBUF_SIMPLE) < 0)
                goto done;
            texts->data_open++;
        }
        texts->chunk_start[c + 1] = texts->chunk_start[c] + texts->views[c].len / 16;
        if (!chunk_valid(texts, c)) {
            PyErr_SetString(PyExc_ValueError, "views must be Arrow string views (16 bytes each) into the data buffers");
            goto done;
        }
    }
    texts->n_texts = texts->chunk_start[n_chunks];
    status = 0;
done:
    if (status < 0) texts_close(texts);
    if (chunk_data != NULL)
        for (Py_ssize_t c = 0; c < n_chunks; c++) Py_XDECREF(chunk_data[c]);
    PyMem_Free(chunk_data);
    Py_DECREF(views);
    Py_DECREF(data);
    return status;
}

/* The chunk that holds text t: the last whose first text is at most t (chunks are few: a binary search). */
static inline Py_ssize_t chunk_of(const Texts *texts, Py_ssize_t t) {
    Py_ssize_t low = 0, high = texts->n_chunks - 1;
    while (low < high) {
        Py_ssize_t middle = (low + high + 1) / 2;
        if (texts->chunk_start[middle] <= t) low = middle;
        else high = middle - 1;
    }
    return low;
}

static inline const unsigned char *view_text(const Texts *texts, Py_ssize_t c, const unsigned char *view,
                                             size_t *length) {
    int32_t size, buffer, offset;
    memcpy(&size, view, 4);
    *length = (size_t)size;
    if (size <= 12) return view + 4;
    memcpy(&buffer, view + 8, 4);
    memcpy(&offset, view + 12, 4);
    return (const unsigned char *)texts->data[texts->data_start[c] + buffer].buf + offset;
}

/* Text t, its chunk looked up from `chunk` (the previous text's, kept up to date): scans go through texts in
 * order, so the lookup is nearly always the same chunk. */
static inline const unsigned char *text_at(const Texts *texts, Py_ssize_t t, Py_ssize_t *chunk, size_t *length) {
    Py_ssize_t c = *chunk;
    if (t < texts->chunk_start[c] || t >= texts->chunk_start[c + 1]) c = *chunk = chunk_of(texts, t);
    const unsigned char *view = (const unsigned char *)texts->views[c].buf + 16 * (t - texts->chunk_start[c]);
    return view_text(texts, c, view, length);
}

/* A uint32 array argument (any buffer of native uint32), or NULL with an exception. */
static int open_uint32(PyObject *object, Py_buffer *buffer, const char *name) {
    if (PyObject_GetBuffer(object, buffer, PyBUF_SIMPLE) < 0) return -1;
    if (buffer->len % 4 != 0) {
        PyBuffer_Release(buffer);
        PyErr_Format(PyExc_ValueError, "%s must hold native uint32 values", name);
        return -1;
    }
    return 0;
}

static inline int is_ascii(const unsigned char *text, size_t length) {
    uint64_t any = 0;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t chunk;
        memcpy(&chunk, text + i, 8);
        any |= chunk;
    }
    for (; i < length; i++) any |= text[i];
    return (any & 0x8080808080808080ULL) == 0;
}

#define BYTES_ONES 0x0101010101010101ULL
#define BYTES_HIGHS 0x8080808080808080ULL

/* Of 8 bytes all below 0x80, the high bit of each that lies in [lo, hi] (SWAR: no sum carries into the next
 * byte, as each is at most 0x7f + 0x80). */
static inline uint64_t bytes_in_range(uint64_t bytes, unsigned lo, unsigned hi) {
    return (bytes + BYTES_ONES * (0x80 - lo)) & ~(bytes + BYTES_ONES * (0x7f - hi)) & BYTES_HIGHS;
}

/* Of 8 ASCII bytes, the high bit of each ASCII letter (set in `letters`, for folding) or digit. */
static inline uint64_t ascii_word_bits(uint64_t bytes, uint64_t *letters) {
    *letters = bytes_in_range(bytes | BYTES_ONES * 0x20, 'a', 'z');
    return *letters | bytes_in_range(bytes, '0', '9');
}

/* The next word from *cursor on, which moves past it: its length (0: no word is left), its first 8 bytes as
 * compared (`head`, zero-padded) and, for a longer word, its bytes from the 9th on in word[8..] (up to
 * max_length). `ascii`: the text is ASCII, so 8 bytes at a time are classified at once where 8 are left (the
 * words and separators of captions are short: a byte at a time, the loop was a fifth of the scan). */
static inline size_t next_word(const unsigned char **cursor, const unsigned char *end, const unsigned char *word_bytes,
                               int ascii, int fold, size_t max_length, uint64_t *head, unsigned char *word) {
    const unsigned char *text = *cursor;
    uint64_t chunk, letters, bits;
    size_t word_length = 0;
    *head = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (ascii) {
        while (end - text >= 8) {  /* separators, 8 at a time */
            memcpy(&chunk, text, 8);
            bits = ascii_word_bits(chunk, &letters);
            if (bits != 0) break;
            text += 8;
        }
        if (end - text >= 8) {
            text += __builtin_ctzll(bits) >> 3;
            if (end - text >= 8) {  /* the word's first 8 bytes at once */
                memcpy(&chunk, text, 8);
                bits = ascii_word_bits(chunk, &letters);
                if (fold) chunk |= letters >> 2;  /* 0x20 on each upper-case letter */
                uint64_t stops = ~bits & BYTES_HIGHS;
                if (stops != 0) {
                    word_length = (size_t)__builtin_ctzll(stops) >> 3;  /* 1 to 7: the text starts a word */
                    *head = chunk & ((1ULL << (8 * word_length)) - 1);
                    *cursor = text + word_length;
                    return word_length;
                }
                *head = chunk;
                word_length = 8;
                text += 8;
            }
        }
    }
#endif
    if (word_length == 0) {
        while (text < end && word_bytes[*text] == 0) text++;
        if (text == end) {
            *cursor = text;
            return 0;
        }
    }
    unsigned char c;
    while (text < end && (c = word_bytes[*text]) != 0) {
        if (word_length < 8) *head |= (uint64_t)c << (8 * word_length);
        else if (word_length < max_length) word[word_length] = c;
        word_length++;
        text++;
    }
    *cursor = text;
    return word_length;
}

/* Scratch space of a scan: a text's word ids, and a word's bytes past its 8th. */
typedef struct {
    uint32_t *ids;
    size_t ids_capacity;
    unsigned char *word;
} ScanScratch;

/* Searches one text (`ascii`: known to be ASCII, so words are cut 8 bytes at a time), its matches pushed as
 * (position, pattern): 1 where a reported match's pattern asks for context, 0 where none does, -1 when out
 * of memory. `every`: every pattern starting at every word, overlapping, instead of the leftmost-longest.
 * Inlined where it is called with `every` a constant, so that the search of every text has no test of it
 * (the scratch space is read into locals: CPython builds without strict aliasing, so the compiler would
 * otherwise load it again after every store). */
static inline __attribute__((always_inline)) int scan_text(
    const PhraseIndex *self, const unsigned char *text, const unsigned char *end, int ascii, const int every,
    uint32_t position, ScanScratch *scratch, Growable *texts_out, Growable *patterns_out) {
    const unsigned char *word_bytes = self->word_bytes;
    const int fold = word_bytes == FOLDED_WORD_BYTES;
    const size_t max_length = self->max_word_length;
    const uint64_t *word_filter = self->word_filter;
    const unsigned filter_shift = self->filter_shift;
    unsigned char *word = scratch->word;
    uint32_t *ids = scratch->ids;
    size_t ids_capacity = scratch->ids_capacity;
    size_t n_ids = 0;
    for (;;) {
        uint64_t head;
        size_t word_length = next_word(&text, end, word_bytes, ascii, fold, max_length, &head, word);
        if (word_length == 0) break;
        uint32_t id = 0;
        if (word_length <= max_length) {
            if (word_length > 8) memset(word + word_length, 0, 8);
            uint64_t hash = hash_word(head, word, word_length), bit = hash >> filter_shift;
            if (word_filter[bit >> 6] >> (bit & 63) & 1) id = find_word(self, head, word, word_length, hash);
        }
        if (n_ids == ids_capacity) {
            uint32_t *grown = PyMem_RawRealloc(ids, 2 * ids_capacity * sizeof(uint32_t));
            if (grown == NULL) return -1;
            scratch->ids = ids = grown;
            scratch->ids_capacity = ids_capacity *= 2;
        }
        ids[n_ids++] = id;
    }
    int asks = 0;
    /* leftmost-longest: from each word, the longest pattern starting there; a match skips its words */
    size_t w = 0;
    while (w < n_ids) {
        uint32_t node = 0;
        int32_t best = -1;
        size_t best_length = 0;
        for (size_t j = w; j < n_ids && ids[j] != 0; j++) {
            node = find_child(self, node, ids[j]);
            if (node == 0) break;
            if (self->node_pattern[node] >= 0) {
                best = self->node_pattern[node];
                best_length = j - w + 1;
                if (every && (grow_push(texts_out, position) < 0 || grow_push(patterns_out, (uint32_t)best) < 0))
                    return -1;
            }
        }
        if (every || best < 0) {  /* (every: its matches are pushed above) */
            w++;
            continue;
        }
        unsigned char flags = self->pattern_flags ? self->pattern_flags[best] : 0;
        if (self->pattern_heads != NULL && self->pattern_heads[best] != 0 && w + best_length < n_ids
            && (self->word_heads[ids[w + best_length]] & self->pattern_heads[best]) != 0) {
            w += best_length + 1;  /* the term and its head word: one silent match */
            continue;
        }
        if (!(flags & PATTERN_SILENT)) {
            if (grow_push(texts_out, position) < 0 || grow_push(patterns_out, (uint32_t)best) < 0) return -1;
            asks |= flags & PATTERN_ASKS_CONTEXT;
        }
        w += best_length;
    }
    return asks != 0;
}

/* scan_text with `every`, out of line: the rare search (context words, ~5% of texts) kept out of the loop of
 * the usual one. */
static __attribute__((noinline)) int scan_text_every(const PhraseIndex *self, const unsigned char *text,
                                                     const unsigned char *end, int ascii, uint32_t position,
                                                     ScanScratch *scratch, Growable *texts_out, Growable *patterns_out) {
    return scan_text(self, text, end, ascii, 1, position, scratch, texts_out, patterns_out);
}

/* What a scan finds: matches (position, pattern), the texts skipped for not being ASCII, and the context
 * index's matches (position, its pattern) in the texts that asked for it. */
typedef struct {
    Growable texts, patterns, skipped, context_texts, context_patterns;
} ScanFound;

/* The scan itself, without the GIL: 0, or -1 when out of memory. Searches texts rows[0..n_rows) (every text
 * where rows is NULL); a text not in ASCII is skipped (its position in `rows` listed) unless `normalized`. */
static int scan(const PhraseIndex *self, const Texts *texts, const uint32_t *rows, Py_ssize_t n_rows,
                int normalized, int every, ScanFound *found) {
    size_t longest = self->max_word_length;
    if (self->context && self->context->max_word_length > longest) longest = self->context->max_word_length;
    ScanScratch scratch = {PyMem_RawMalloc(256 * sizeof(uint32_t)), 256, PyMem_RawMalloc(longest + 9)};
    if (scratch.ids == NULL || scratch.word == NULL) goto fail;
    Py_ssize_t chunk = 0;
    for (Py_ssize_t position = 0; position < n_rows; position++) {
        size_t length;
        const unsigned char *text = text_at(texts, rows ? rows[position] : position, &chunk, &length);
        if (!normalized && !is_ascii(text, length)) {
            if (grow_push(&found->skipped, (uint32_t)position) < 0) goto fail;
            continue;
        }
        int asks = every ? scan_text_every(self, text, text + length, !normalized, (uint32_t)position, &scratch,
                                           &found->texts, &found->patterns)
                         : scan_text(self, text, text + length, !normalized, 0, (uint32_t)position, &scratch,
                                     &found->texts, &found->patterns);
        if (asks < 0) goto fail;
        if (asks && self->context != NULL
            && scan_text_every(self->context, text, text + length, !normalized, (uint32_t)position, &scratch,
                               &found->context_texts, &found->context_patterns) < 0)
            goto fail;
    }
    PyMem_RawFree(scratch.ids);
    PyMem_RawFree(scratch.word);
    return 0;
fail:
    PyMem_RawFree(scratch.ids);
    PyMem_RawFree(scratch.word);
    return -1;
}

static PyObject *PhraseIndex_search(PhraseIndex *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"views", "data", "rows", "normalized", "every", NULL};
    PyObject *views, *data, *rows_arg = Py_None;
    int normalized = 0, every = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|Opp", keywords, &views, &data, &rows_arg, &normalized,
                                     &every))
        return NULL;
    Texts texts;
    if (texts_open(views, data, &texts) < 0) return NULL;
    Py_buffer rows = {0};
    const uint32_t *row_values = NULL;
    Py_ssize_t n_rows = texts.n_texts;
    if (rows_arg != Py_None) {
        if (open_uint32(rows_arg, &rows, "rows") < 0) {
            texts_close(&texts);
            return NULL;
        }
        row_values = rows.buf;
        n_rows = rows.len / 4;
        for (Py_ssize_t i = 0; i < n_rows; i++) {
            if (row_values[i] >= (uint64_t)texts.n_texts) {
                PyBuffer_Release(&rows);
                texts_close(&texts);
                PyErr_SetString(PyExc_IndexError, "rows must be positions of texts");
                return NULL;
            }
        }
    }
    ScanFound found = {{0}};
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = scan(self, &texts, row_values, n_rows, normalized, every, &found);
    Py_END_ALLOW_THREADS
    if (rows_arg != Py_None) PyBuffer_Release(&rows);
    texts_close(&texts);
    if (status < 0) {
        PyMem_RawFree(found.texts.data);
        PyMem_RawFree(found.patterns.data);
        PyMem_RawFree(found.skipped.data);
        PyMem_RawFree(found.context_texts.data);
        PyMem_RawFree(found.context_patterns.data);
        return PyErr_NoMemory();
    }
    PyObject *items[5] = {as_bytes(&found.texts), as_bytes(&found.patterns), as_bytes(&found.skipped),
                          as_bytes(&found.context_texts), as_bytes(&found.context_patterns)};
    return steal_tuple(5, items);
}

static PyMethodDef PhraseIndex_methods[] = {
    {"search", (PyCFunction)(void (*)(void))PhraseIndex_search, METH_VARARGS | METH_KEYWORDS,
     "search(views, data, rows=None, normalized=False, every=False) -> (positions, pattern_ids, skipped, "
     "context_positions, context_ids): every match in the texts at `rows` (uint32; None: all), as bytes of native "
     "uint32, positions counted in `rows`, in order, silent patterns left out; `skipped`: the positions of texts not "
     "in ASCII, left for normalisation unless `normalized`; `every`: every pattern at every word, overlapping "
     "(default: leftmost-longest, not overlapping); context_*: the context index's matches, every one at every word, "
     "in the texts where a pattern that asks for context matched."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PhraseIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "freqscope._matchcore.PhraseIndex",
    .tp_basicsize = sizeof(PhraseIndex),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "PhraseIndex(patterns, case_sensitive=False, *, silent=None, asking=None, context=None, heads=None, "
              "head_groups=None, pattern_head_groups=None): whole-word, "
              "leftmost-longest search of normalised patterns in texts. silent, asking: a byte a pattern, nonzero for "
              "a pattern that wins but is not reported, or whose match has its text searched with `context` (a "
              "PhraseIndex) too. heads: single words; a pattern's match right before one is silent where its "
              "pattern_head_groups mask (a uint32 a pattern) shares a bit with the head's head_groups (a uint32 a head).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)PhraseIndex_init,
    .tp_dealloc = (destructor)PhraseIndex_dealloc,
    .tp_methods = PhraseIndex_methods,
};

/* ------------------------------------------------------------------------------------------------ TextMemo
 *
 * TextMemo(weak_key=False) numbers distinct texts: assign(views, data) gives every text of a batch its number
 * (a text seen in an earlier batch, or earlier in this one, keeps its number; a new text gets the next one)
 * and lists the rows where a new text first appears, which are the only ones to search. A text is known by
 * two independent 64-bit hashes of its bytes, not by the bytes themselves (16 bytes a text, plus its slot):
 * two texts pass as one only if both collide, about 2**-128. weak_key=True replaces the first hash by the
 * text's length, so that tests can force collisions of the first one.
 */

typedef struct {
    PyObject_HEAD
    int weak_key;
    int busy;          /* an assign() is running without the GIL: another call must not touch the tables */
    uint32_t *table;   /* text number + 1 by slot; 0 marks an empty slot */
    uint64_t mask;
    uint64_t *keys;    /* by text number: first hash, second hash */
    uint32_t count, capacity;
} TextMemo;

static inline uint64_t mum(uint64_t a, uint64_t b) {
    __uint128_t product = (__uint128_t)a * b;
    return (uint64_t)(product >> 64) ^ (uint64_t)product;
}

/* Up to 8 bytes as one integer, without a variable-length memcpy call (the tail of every text). */
static inline uint64_t load_tail(const unsigned char *bytes, size_t length) {
    uint64_t value = 0;
    if (length >= 4) {
        uint32_t low, high;
        memcpy(&low, bytes, 4);
        memcpy(&high, bytes + length - 4, 4);
        value = ((uint64_t)high << 32) | low;
    } else if (length > 0) {
        value = ((uint64_t)bytes[0] << 16) | ((uint64_t)bytes[length >> 1] << 8) | bytes[length - 1];
    }
    return value;
}

/* Two independent 64-bit hashes of a text in one pass, 16 bytes per multiplication in each (as wyhash mixes
 * a block: the product of its two halves, each masked by a secret, folded). The length is hashed in, so the
 * last 1-16 bytes are read as two overlapping 8-byte words (or load_tail for fewer than 8) without a byte
 * loop. */
static inline void hash_text(const unsigned char *text, size_t length, uint64_t *first, uint64_t *second) {
    uint64_t a = 0x2d358dccaa6c78a5ULL ^ length, b = 0x8bb84b93962eacc9ULL ^ (length * 0x9E3779B97F4A7C15ULL);
    size_t i = 0;
    for (; i + 16 < length; i += 16) {
        uint64_t low, high;
        memcpy(&low, text + i, 8);
        memcpy(&high, text + i + 8, 8);
        a = mum(low ^ 0xa0761d6478bd642fULL, high ^ a);
        b = mum(low ^ 0xe7037ed1a0b428dbULL, high ^ b ^ 0x1d8e4e27c47d124fULL);
    }
    size_t rest = length - i;  /* 0 to 16 */
    uint64_t low, high;
    if (rest > 8) {
        memcpy(&low, text + i, 8);
        memcpy(&high, text + length - 8, 8);
    } else {
        low = load_tail(text + i, rest);
        high = 0;
    }
    a = mum(low ^ 0xa0761d6478bd642fULL, high ^ a);
    b = mum(low ^ 0xe7037ed1a0b428dbULL, high ^ b ^ 0x1d8e4e27c47d124fULL);
    *first = mum(a ^ 0x8ebc6af09c88c6e3ULL, length ^ 0x589965cc75374cc3ULL);
    *second = mum(b ^ 0x589965cc75374cc3ULL, length ^ 0x8ebc6af09c88c6e3ULL);
}

static inline uint64_t memo_slot(uint64_t first, uint64_t mask) {
    return mix_edge(first) & mask;
}

/* Room for `extra` more texts (0), or -1 when out of memory. Keeps the table at most half full. */
static int memo_reserve(TextMemo *self, uint32_t extra) {
    uint64_t needed = (uint64_t)self->count + extra;
    if (needed > UINT32_MAX - 1) return -1;
    if (needed > self->capacity) {
        uint64_t capacity = self->capacity ? self->capacity : 1024;
        while (capacity < needed) capacity *= 2;
        uint64_t *keys = PyMem_RawRealloc(self->keys, (size_t)capacity * 2 * sizeof(uint64_t));
        if (keys == NULL) return -1;
        self->keys = keys;
        self->capacity = (uint32_t)(capacity < UINT32_MAX ? capacity : UINT32_MAX);
    }
    if (needed * 2 <= self->mask + 1) return 0;
    uint64_t size = self->mask ? self->mask + 1 : 2048;
    while (size < needed * 2) size *= 2;
    uint32_t *table = PyMem_RawCalloc(size, sizeof(uint32_t));
    if (table == NULL) return -1;
    for (uint32_t number = 0; number < self->count; number++) {
        uint64_t slot = memo_slot(self->keys[2 * number], size - 1);
        while (table[slot] != 0) slot = (slot + 1) & (size - 1);
        table[slot] = number + 1;
    }
    PyMem_RawFree(self->table);
    self->table = table;
    self->mask = size - 1;
    return 0;
}

/* Rows go in blocks: their hashes first, each prefetching its table slot, then the lookups, so that the
 * cache misses of a block overlap instead of following one another. */
#define MEMO_BLOCK 16

static int memo_assign(TextMemo *self, const Texts *texts, uint32_t *numbers, Growable *new_rows) {
    uint64_t firsts[MEMO_BLOCK], seconds[MEMO_BLOCK];
    Py_ssize_t n_texts = texts->n_texts, chunk = 0;
    for (Py_ssize_t block = 0; block < n_texts; block += MEMO_BLOCK) {
        int size = n_texts - block < MEMO_BLOCK ? (int)(n_texts - block) : MEMO_BLOCK;
        /* room first: the table must not move between the prefetches and the lookups */
        if (memo_reserve(self, (uint32_t)size) < 0) return -1;
        for (int k = 0; k < size; k++) {
            size_t length;
            const unsigned char *text = text_at(texts, block + k, &chunk, &length);
            hash_text(text, length, &firsts[k], &seconds[k]);
            if (self->weak_key) firsts[k] = length;
            __builtin_prefetch(&self->table[memo_slot(firsts[k], self->mask)]);
        }
        for (int k = 0; k < size; k++) {
            uint32_t entry = self->table[memo_slot(firsts[k], self->mask)];
            if (entry != 0) __builtin_prefetch(&self->keys[2 * (entry - 1)]);
        }
        for (int k = 0; k < size; k++) {
            Py_ssize_t t = block + k;
            uint64_t slot = memo_slot(firsts[k], self->mask);
            uint32_t entry;
            while ((entry = self->table[slot]) != 0) {
                const uint64_t *key = &self->keys[2 * (entry - 1)];
                if (key[0] == firsts[k] && key[1] == seconds[k]) break;
                slot = (slot + 1) & self->mask;
            }
            if (entry == 0) {
                uint32_t number = self->count++;
                self->keys[2 * number] = firsts[k];
                self->keys[2 * number + 1] = seconds[k];
                self->table[slot] = number + 1;
                if (grow_push(new_rows, (uint32_t)t) < 0) return -1;
                numbers[t] = number;
            } else {
                numbers[t] = entry - 1;
            }
        }
    }
    return 0;
}

static int TextMemo_init(TextMemo *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"weak_key", NULL};
    int weak_key = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|p", keywords, &weak_key)) return -1;
    self->weak_key = weak_key;
    return 0;
}

static void TextMemo_dealloc(TextMemo *self) {
    PyMem_RawFree(self->table);
    PyMem_RawFree(self->keys);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int memo_idle(TextMemo *self) {
    if (!self->busy) return 1;
    PyErr_SetString(PyExc_RuntimeError, "TextMemo is in use by another thread: one batch at a time");
    return 0;
}

static PyObject *TextMemo_assign(TextMemo *self, PyObject *args) {
    PyObject *views, *data;
    if (!PyArg_ParseTuple(args, "OO", &views, &data)) return NULL;
    if (!memo_idle(self)) return NULL;
    Texts texts;
    if (texts_open(views, data, &texts) < 0) return NULL;
    PyObject *numbers = PyBytes_FromStringAndSize(NULL, texts.n_texts * (Py_ssize_t)sizeof(uint32_t));
    if (numbers == NULL) {
        texts_close(&texts);
        return NULL;
    }
    Growable new_rows = {0};
    int status;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    status = memo_assign(self, &texts, (uint32_t *)PyBytes_AS_STRING(numbers), &new_rows);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    texts_close(&texts);
    if (status < 0) {
        Py_DECREF(numbers);
        PyMem_RawFree(new_rows.data);
        return PyErr_NoMemory();
    }
    PyObject *items[2] = {numbers, as_bytes(&new_rows)};
    return steal_tuple(2, items);
}

static PyObject *TextMemo_clear(TextMemo *self, PyObject *Py_UNUSED(ignored)) {
    if (!memo_idle(self)) return NULL;
    PyMem_RawFree(self->table);
    PyMem_RawFree(self->keys);
    self->table = NULL;
    self->keys = NULL;
    self->mask = 0;
    self->count = self->capacity = 0;
    Py_RETURN_NONE;
}

static Py_ssize_t TextMemo_length(TextMemo *self) {
    return self->count;
}

static PyMethodDef TextMemo_methods[] = {
    {"assign", (PyCFunction)TextMemo_assign, METH_VARARGS,
     "assign(views, data) -> (numbers, new_rows): each text's number, and the rows where new texts first "
     "appear, as bytes of native uint32."},
    {"clear", (PyCFunction)TextMemo_clear, METH_NOARGS, "Forget every text; numbering starts again at 0."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods TextMemo_as_sequence = {.sq_length = (lenfunc)TextMemo_length};

static PyTypeObject TextMemoType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "freqscope._matchcore.TextMemo",
    .tp_basicsize = sizeof(TextMemo),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Numbers distinct texts across batches, by two 64-bit hashes of each.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)TextMemo_init,
    .tp_dealloc = (destructor)TextMemo_dealloc,
    .tp_methods = TextMemo_methods,
    .tp_as_sequence = &TextMemo_as_sequence,
};

/* ------------------------------------------------------------------------------------------ tally, expand
 *
 * What texts contain is kept in compressed rows (matcher.TextsFound): the entries of text t are those from
 * start[t] to start[t + 1], sorted. tally() builds them from a search's matches; expand() turns them into one
 * row per (document row, pattern) for a batch, given each row's text.
 */

static int compare_uint32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void sort_uint32(uint32_t *values, size_t n) {
    if (n > 32) {
        qsort(values, n, sizeof(uint32_t), compare_uint32);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t value = values[i];
        size_t j = i;
        for (; j > 0 && values[j - 1] > value; j--) values[j] = values[j - 1];
        values[j] = value;
    }
}

/* (key, count) pairs from sorted keys: runs of equal keys become one entry. */
static int push_runs(const uint32_t *keys, size_t n, Growable *key_out, Growable *count_out) {
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && keys[j] == keys[i]) j++;
        if (grow_push(key_out, keys[i]) < 0 || grow_push(count_out, (uint32_t)(j - i)) < 0) return -1;
        i = j;
    }
    return 0;
}

typedef struct {
    Py_ssize_t n_texts, n_matches, n_patterns;
    const uint32_t *texts, *patterns;     /* the matches */
    const int64_t *class_start;           /* by pattern: its classes are class_keys[class_start[p]..[p+1]) */
    const uint32_t *class_keys;
    /* Context terms (matcher.ContextSearch): a class key k with context_offset < k <= 2 * context_offset counts
     * only in a text where a context word serving k occurs, and there also as k - context_offset. The context
     * words found (overlapping, anywhere) are (met_texts[i], met_words[i]); word w serves the keys
     * word_keys[word_start[w]..[w+1]). context_offset 0: no context terms. */
    uint32_t context_offset;
    Py_ssize_t n_met, n_words;
    const uint32_t *met_texts, *met_words;
    const int64_t *word_start;
    const uint32_t *word_keys;
} TallyInput;

/* Counting sort of (text, value) pairs by text: the values of text t end up at sorted[first[t]..first[t + 1]). */
static int sort_by_text(Py_ssize_t n_texts, Py_ssize_t n_pairs, const uint32_t *texts, const uint32_t *values,
                        int64_t **first_out, uint32_t **sorted_out) {
    int64_t *first = PyMem_RawCalloc((size_t)n_texts + 1, sizeof(int64_t));
    uint32_t *sorted = PyMem_RawMalloc(((size_t)n_pairs + 1) * sizeof(uint32_t));
    if (first == NULL || sorted == NULL) {
        PyMem_RawFree(first);
        PyMem_RawFree(sorted);
        return -1;
    }
    for (Py_ssize_t m = 0; m < n_pairs; m++) first[texts[m] + 1]++;
    for (Py_ssize_t t = 0; t < n_texts; t++) first[t + 1] += first[t];
    for (Py_ssize_t m = 0; m < n_pairs; m++) sorted[first[texts[m]]++] = values[m];
    for (Py_ssize_t t = n_texts; t > 0; t--) first[t] = first[t - 1];
    first[0] = 0;
    *first_out = first;
    *sorted_out = sorted;
    return 0;
}

/* Whether one of the context words `words[0..n)` found in a text serves class key `key`. */
static int context_met(const TallyInput *in, const uint32_t *words, int64_t n, uint32_t key) {
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = in->word_start[words[i]]; k < in->word_start[words[i] + 1]; k++)
            if (in->word_keys[k] == key) return 1;
    return 0;
}

static int tally_scan(const TallyInput *in, int64_t *pattern_start, Growable *patterns, Growable *pattern_n,
                      int64_t *class_start, Growable *classes, Growable *class_n, unsigned char *met_out) {
    int64_t *first = NULL, *met_first = NULL;
    uint32_t *by_text = NULL, *met_by_text = NULL;
    Growable scratch = {0};
    const uint64_t offset = in->context_offset;
    if (sort_by_text(in->n_texts, in->n_matches, in->texts, in->patterns, &first, &by_text) < 0) goto fail;
    if (sort_by_text(in->n_texts, in->n_met, in->met_texts, in->met_words, &met_first, &met_by_text) < 0) goto fail;
    pattern_start[0] = class_start[0] = 0;
    for (Py_ssize_t t = 0; t < in->n_texts; t++) {
        uint32_t *found = by_text + first[t];
        size_t n_found = (size_t)(first[t + 1] - first[t]);
        sort_uint32(found, n_found);
        if (push_runs(found, n_found, patterns, pattern_n) < 0) goto fail;
        pattern_start[t + 1] = (int64_t)patterns->length;
        /* a class reached through several patterns counts each of their matches: one key a match, counted
         * as runs once sorted */
        scratch.length = 0;
        met_out[t] = 0;
        for (size_t i = 0; i < n_found; i++) {
            for (int64_t c = in->class_start[found[i]]; c < in->class_start[found[i] + 1]; c++) {
                uint32_t key = in->class_keys[c];
                if (key > offset && key <= 2 * offset) {
                    if (!context_met(in, met_by_text + met_first[t], met_first[t + 1] - met_first[t], key)) continue;
                    met_out[t] = 1;
                    if (grow_push(&scratch, key - (uint32_t)offset) < 0) goto fail;
                }
                if (grow_push(&scratch, key) < 0) goto fail;
            }
        }
        sort_uint32(scratch.data, scratch.length);
        if (push_runs(scratch.data, scratch.length, classes, class_n) < 0) goto fail;
        class_start[t + 1] = (int64_t)classes->length;
    }
    PyMem_RawFree(first);
    PyMem_RawFree(by_text);
    PyMem_RawFree(met_first);
    PyMem_RawFree(met_by_text);
    PyMem_RawFree(scratch.data);
    return 0;
fail:
    PyMem_RawFree(first);
    PyMem_RawFree(by_text);
    PyMem_RawFree(met_first);
    PyMem_RawFree(met_by_text);
    PyMem_RawFree(scratch.data);
    return -1;
}

static PyObject *tally(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"n_texts", "texts", "patterns", "class_start", "class_keys", "context_offset",
                               "met_texts", "met_words", "word_start", "word_keys", NULL};
    Py_ssize_t n_texts;
    unsigned long context_offset = 0;
    PyObject *texts_arg, *patterns_arg, *class_start_arg, *class_keys_arg;
    PyObject *met_texts_arg = NULL, *met_words_arg = NULL, *word_start_arg = NULL, *word_keys_arg = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "nOOOO|$kOOOO", keywords, &n_texts, &texts_arg, &patterns_arg,
                                     &class_start_arg, &class_keys_arg, &context_offset, &met_texts_arg,
                                     &met_words_arg, &word_start_arg, &word_keys_arg))
        return NULL;
    if (context_offset > 0 && (!met_texts_arg || !met_words_arg || !word_start_arg || !word_keys_arg)) {
        PyErr_SetString(PyExc_TypeError, "tally: context_offset needs met_texts, met_words, word_start and word_keys");
        return NULL;
    }
    if (context_offset > UINT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "tally: context_offset must leave room for two key ranges in uint32");
        return NULL;
    }
    Py_buffer texts = {0}, patterns = {0}, class_start = {0}, class_keys = {0};
    Py_buffer met_texts = {0}, met_words = {0}, word_start = {0}, word_keys = {0};
    const int64_t no_words[1] = {0};
    PyObject *result = NULL, *pattern_start = NULL, *class_first = NULL, *met = NULL;
    Growable found = {0}, found_n = {0}, classes = {0}, classes_n = {0};
    if (open_uint32(texts_arg, &texts, "texts") < 0) return NULL;
    if (open_uint32(patterns_arg, &patterns, "patterns") < 0) goto done;
    if (PyObject_GetBuffer(class_start_arg, &class_start, PyBUF_SIMPLE) < 0) goto done;
    if (open_uint32(class_keys_arg, &class_keys, "class_keys") < 0) goto done;
    TallyInput in = {n_texts, texts.len / 4, 0, texts.buf, patterns.buf, class_start.buf, class_keys.buf,
                     (uint32_t)context_offset, 0, 0, NULL, NULL, no_words, NULL};
    if (context_offset > 0) {
        if (open_uint32(met_texts_arg, &met_texts, "met_texts") < 0 || open_uint32(met_words_arg, &met_words, "met_words") < 0
            || PyObject_GetBuffer(word_start_arg, &word_start, PyBUF_SIMPLE) < 0
            || open_uint32(word_keys_arg, &word_keys, "word_keys") < 0)
            goto done;
        in.n_met = met_texts.len / 4;
        in.n_words = word_start.len / 8 - 1;
        in.met_texts = met_texts.buf;
        in.met_words = met_words.buf;
        in.word_start = word_start.buf;
        in.word_keys = word_keys.buf;
    }
    in.n_patterns = class_start.len / 8 - 1;
    int valid = n_texts >= 0 && patterns.len == texts.len && class_start.len % 8 == 0 && in.n_patterns >= 0;
    for (Py_ssize_t p = 0; valid && p < in.n_patterns; p++)
        valid = in.class_start[p] >= 0 && in.class_start[p] <= in.class_start[p + 1];
    valid = valid && (in.n_patterns < 0 || in.class_start[in.n_patterns] <= class_keys.len / 4);
    for (Py_ssize_t m = 0; valid && m < in.n_matches; m++)
        valid = in.texts[m] < (uint64_t)n_texts && in.patterns[m] < (uint64_t)in.n_patterns;
    if (context_offset > 0) {
        valid = valid && met_words.len == met_texts.len && word_start.len % 8 == 0 && in.n_words >= 0
                && (in.n_words < 0 || in.word_start[0] >= 0);
        for (Py_ssize_t w = 0; valid && w < in.n_words; w++) valid = in.word_start[w] <= in.word_start[w + 1];
        valid = valid && (in.n_words < 0 || in.word_start[in.n_words] <= word_keys.len / 4);
        for (Py_ssize_t m = 0; valid && m < in.n_met; m++)
            valid = in.met_texts[m] < (uint64_t)n_texts && in.met_words[m] < (uint64_t)in.n_words;
    }
    if (!valid) {
        PyErr_SetString(PyExc_ValueError, "tally: matches must name texts below n_texts and patterns of class_start, "
                                          "context words found texts below n_texts and words of word_start");
        goto done;
    }
    pattern_start = PyBytes_FromStringAndSize(NULL, (n_texts + 1) * 8);
    class_first = PyBytes_FromStringAndSize(NULL, (n_texts + 1) * 8);
    met = PyBytes_FromStringAndSize(NULL, n_texts);
    if (pattern_start == NULL || class_first == NULL || met == NULL) goto done;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = tally_scan(&in, (int64_t *)PyBytes_AS_STRING(pattern_start), &found, &found_n,
                        (int64_t *)PyBytes_AS_STRING(class_first), &classes, &classes_n,
                        (unsigned char *)PyBytes_AS_STRING(met));
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *items[7] = {pattern_start, as_bytes(&found), as_bytes(&found_n), class_first, as_bytes(&classes),
                          as_bytes(&classes_n), met};
    pattern_start = class_first = met = NULL;
    result = steal_tuple(7, items);
done:
    Py_XDECREF(pattern_start);
    Py_XDECREF(class_first);
    Py_XDECREF(met);
    PyMem_RawFree(found.data);
    PyMem_RawFree(found_n.data);
    PyMem_RawFree(classes.data);
    PyMem_RawFree(classes_n.data);
    PyBuffer_Release(&texts);
    PyBuffer_Release(&patterns);
    PyBuffer_Release(&class_start);
    PyBuffer_Release(&class_keys);
    PyBuffer_Release(&met_texts);
    PyBuffer_Release(&met_words);
    PyBuffer_Release(&word_start);
    PyBuffer_Release(&word_keys);
    return result;
}

/* What expand() and class_totals() read: each row's text number, and each text's entries in compressed rows
 * (`start`: int64, n_texts + 1) of two uint32 arrays of the same length (an id and a count an entry). */
typedef struct {
    Py_buffer row_text, start, ids, counts;
    Py_ssize_t n_rows, n_texts, n_entries;
} RowEntries;

static void row_entries_close(RowEntries *in) {
    PyBuffer_Release(&in->row_text);
    PyBuffer_Release(&in->start);
    PyBuffer_Release(&in->ids);
    PyBuffer_Release(&in->counts);
}

/* Opens and checks the four arguments (every row names a text, every text's entries exist): 0, or -1 with an
 * exception naming `function`. */
static int row_entries_open(PyObject *args, const char *function, const char *ids_name, const char *counts_name,
                            RowEntries *in) {
    PyObject *row_text_arg, *start_arg, *ids_arg, *counts_arg;
    memset(in, 0, sizeof(RowEntries));
    if (!PyArg_ParseTuple(args, "OOOO", &row_text_arg, &start_arg, &ids_arg, &counts_arg)) return -1;
    if (open_uint32(row_text_arg, &in->row_text, "row_text") < 0
        || PyObject_GetBuffer(start_arg, &in->start, PyBUF_SIMPLE) < 0
        || open_uint32(ids_arg, &in->ids, ids_name) < 0 || open_uint32(counts_arg, &in->counts, counts_name) < 0) {
        row_entries_close(in);
        return -1;
    }
    const uint32_t *texts = in->row_text.buf;
    const int64_t *first = in->start.buf;
    in->n_rows = in->row_text.len / 4;
    in->n_texts = in->start.len / 8 - 1;
    in->n_entries = in->ids.len / 4;
    int valid = in->start.len % 8 == 0 && in->n_texts >= 0 && in->counts.len == in->ids.len && first[0] >= 0;
    for (Py_ssize_t t = 0; valid && t < in->n_texts; t++) valid = first[t] <= first[t + 1];
    valid = valid && first[in->n_texts] <= in->n_entries;
    for (Py_ssize_t r = 0; valid && r < in->n_rows; r++) valid = texts[r] < (uint64_t)in->n_texts;
    if (!valid) {
        PyErr_Format(PyExc_ValueError, "%s: row_text must name texts of start, and start index %s", function, ids_name);
        row_entries_close(in);
        return -1;
    }
    return 0;
}

static PyObject *expand(PyObject *Py_UNUSED(module), PyObject *args) {
    RowEntries in;
    if (row_entries_open(args, "expand", "pattern_ids", "pattern_n", &in) < 0) return NULL;
    const uint32_t *texts = in.row_text.buf, *pattern_ids = in.ids.buf, *pattern_n = in.counts.buf;
    const int64_t *first = in.start.buf;
    size_t total = 0;
    for (Py_ssize_t r = 0; r < in.n_rows; r++) total += (size_t)(first[texts[r] + 1] - first[texts[r]]);
    PyObject *items[3] = {PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(total * 4)),
                          PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(total * 4)),
                          PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(total * 4))};
    if (items[0] && items[1] && items[2]) {
        uint32_t *rows_out = (uint32_t *)PyBytes_AS_STRING(items[0]);
        uint32_t *patterns_out = (uint32_t *)PyBytes_AS_STRING(items[1]);
        uint32_t *n_out = (uint32_t *)PyBytes_AS_STRING(items[2]);
        Py_BEGIN_ALLOW_THREADS
        size_t k = 0;
        for (Py_ssize_t r = 0; r < in.n_rows; r++) {
            for (int64_t e = first[texts[r]]; e < first[texts[r] + 1]; e++, k++) {
                rows_out[k] = (uint32_t)r;
                patterns_out[k] = pattern_ids[e];
                n_out[k] = pattern_n[e];
            }
        }
        Py_END_ALLOW_THREADS
    }
    row_entries_close(&in);
    return steal_tuple(3, items);
}

/* class_totals(row_text, class_start, class_keys, class_n) -> (docs, mentions): per class key (0 to the
 * largest key), the rows whose text names it and its matches in them, as bytes of native int64: a text's
 * classes counted once per copy of the text among the rows. */
static PyObject *class_totals(PyObject *Py_UNUSED(module), PyObject *args) {
    RowEntries in;
    if (row_entries_open(args, "class_totals", "class_keys", "class_n", &in) < 0) return NULL;
    const uint32_t *texts = in.row_text.buf, *class_keys = in.ids.buf, *class_n = in.counts.buf;
    const int64_t *first = in.start.buf;
    uint32_t n_keys = 0;
    for (Py_ssize_t e = 0; e < in.n_entries; e++)
        if (class_keys[e] >= n_keys) n_keys = class_keys[e] + 1;
    uint64_t *copies = PyMem_Calloc(in.n_texts ? (size_t)in.n_texts : 1, sizeof(uint64_t));
    if (copies == NULL) {
        row_entries_close(&in);
        return PyErr_NoMemory();
    }
    PyObject *items[2] = {PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n_keys * 8),
                          PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n_keys * 8)};
    if (items[0] && items[1]) {
        int64_t *docs = (int64_t *)PyBytes_AS_STRING(items[0]), *mentions = (int64_t *)PyBytes_AS_STRING(items[1]);
        Py_BEGIN_ALLOW_THREADS
        memset(docs, 0, (size_t)n_keys * 8);
        memset(mentions, 0, (size_t)n_keys * 8);
        for (Py_ssize_t r = 0; r < in.n_rows; r++) copies[texts[r]]++;
        for (Py_ssize_t t = 0; t < in.n_texts; t++) {
            if (copies[t] == 0) continue;
            for (int64_t e = first[t]; e < first[t + 1]; e++) {
                docs[class_keys[e]] += (int64_t)copies[t];
                mentions[class_keys[e]] += (int64_t)(copies[t] * class_n[e]);
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyMem_Free(copies);
    row_entries_close(&in);
    return steal_tuple(2, items);
}

static PyMethodDef module_methods[] = {
    {"tally", (PyCFunction)(void (*)(void))tally, METH_VARARGS | METH_KEYWORDS,
     "tally(n_texts, texts, patterns, class_start, class_keys, *, context_offset=0, met_texts, met_words, "
     "word_start, word_keys) -> (pattern_start, pattern_ids, pattern_n, class_start, class_keys, class_n, "
     "context_met): matches (text, pattern; uint32, any order) as what each text contains, in compressed rows "
     "(int64 starts, n_texts + 1), patterns and classes sorted within a text. With context_offset n > 0, a class "
     "key k in (n, 2n] counts only in a text where a context word serving it was found (met_texts, met_words: "
     "uint32 pairs; word w serves word_keys[word_start[w]:word_start[w + 1]]), and there also as k - n; "
     "context_met: a byte a text, 1 where such a key counted."},
    {"expand", expand, METH_VARARGS,
     "expand(row_text, start, pattern_ids, pattern_n) -> (rows, pattern_ids, n): one entry per (row, pattern) "
     "of the rows' texts, in row order."},
    {"class_totals", class_totals, METH_VARARGS,
     "class_totals(row_text, class_start, class_keys, class_n) -> (docs, mentions): per class key, 0 to the "
     "largest, the rows whose text names the class and its matches in them (bytes of native int64)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "freqscope._matchcore",
    "The matcher's compiled core: whole-word phrase search, numbering distinct texts, tallying matches.", -1,
    module_methods,
};

static int add_type(PyObject *module, PyTypeObject *type, const char *name) {
    if (PyType_Ready(type) < 0) return -1;
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__matchcore(void) {
    fill_word_byte_tables();
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (add_type(m, &PhraseIndexType, "PhraseIndex") < 0 || add_type(m, &TextMemoType, "TextMemo") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
