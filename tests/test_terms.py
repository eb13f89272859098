"""Issue 13's term model: each example of its "What was seen" that a rule of ours decides (tiers, inflection,
verbs, blocking, context), the curated data files, and a user list's block phrases and context words."""
from __future__ import annotations

import csv
from collections import Counter

import pytest

import freqscope
from typer.testing import CliRunner

from freqscope.cli import app
from freqscope.errors import FreqscopeError
from freqscope.matcher import DEFAULT, Matcher
from freqscope.paths import TERMS_DATA_DIR
from freqscope.terms.classes import load_class_list
from freqscope.terms.curated import curated_block_phrases, read_curated
from freqscope.terms.taxonomy import ACCEPTED_TIERS


@pytest.fixture(scope="module")
def imagenet():
    return load_class_list("imagenet1k")


@pytest.fixture(scope="module")
def lists():
    return [load_class_list(name) for name in ("imagenet1k", "cifar100", "food101", "cifar10")]


def tier_of(class_list, class_name, term):
    index = next(c.index for c in class_list.classes if c.name == class_name)
    return next(t.tier for t in class_list.terms if t.class_index == index and t.term == term)


def counted_classes(lists, text):
    """{(taxonomy, class name)} a text counts for (the default variant)."""
    matcher = Matcher(lists)
    rows = matcher.locate([text]).class_rows()
    named = matcher.named(rows["class_key"])
    by_name = {c.name: c for c in lists}
    return {(t, by_name[t].classes[i].name) for v, t, i in named.select("variant", "taxonomy", "class_index").iter_rows()
            if v == DEFAULT}


# --- WordNet lemmas of other senses: the automatic rule blocks them ---------------------------------------------


OTHER_SENSES = [("promontory", "head"), ("promontory", "heads"), ("lighter", "light"), ("dining table", "board"),
                ("block plane", "plane"), ("CRT monitor", "screen"), ("corn cob", "ears"), ("railroad car", "coach"),
                ("cornet", "horn"), ("cornet", "trump"), ("wardrobe", "press"), ("quilt", "comfort"),
                ("cliff", "drop"), ("jackfruit", "jack"), ("plectrum", "pick"), ("eraser", "rubber"),
                ("rose hip", "hip"), ("storage chest", "chest"), ("filing cabinet", "file")]


@pytest.mark.parametrize(("class_name", "term"), OTHER_SENSES, ids=[f"{c}<-{t}" for c, t in OTHER_SENSES])
def test_lemmas_of_other_senses_are_blocked(imagenet, class_name, term):
    assert tier_of(imagenet, class_name, term) == "blocked"


@pytest.mark.parametrize(("text", "not_counted"), [
    ("a man holding his head", "promontory"), ("the light in the room", "lighter"),
    ("surfers carry a board", "dining table"), ("a plane taking off", "block plane"),
    ("a man and his coach", "railroad car"), ("File:Some photo.jpg", "filing cabinet"),
    ("a Jack Russell terrier", "jackfruit"), ("hip hop dancers", "rose hip"),
])
def test_other_senses_count_for_nothing_in_captions(lists, text, not_counted):
    assert ("imagenet1k", not_counted) not in counted_classes(lists, text)


def test_the_class_name_and_lemmas_of_its_own_sense_still_count(lists):
    assert ("imagenet1k", "promontory") in counted_classes(lists, "a rocky headland above the sea")
    # "lighter" alone is mostly the comparative (data/terms/tiers.csv: 0 of 8 judged captions): a smoking word decides
    assert ("imagenet1k", "lighter") in counted_classes(lists, "a lighter and a cigarette on the table")
    assert ("imagenet1k", "lighter") not in counted_classes(lists, "a lighter shade of blue")


def test_a_tier_has_its_reason(imagenet):
    """A curated decision gives its judged sample; the automatic rule the sense WordNet ranks first."""
    index = next(c.index for c in imagenet.classes if c.name == "lighter")
    light = next(t for t in imagenet.terms if t.class_index == index and t.term == "light")
    assert light.tier == "blocked" and light.tier_reason.startswith("curated") and "judged" in light.tier_reason
    automatic = [t for t in imagenet.terms if t.tier == "blocked" and "most frequent noun sense" in t.tier_reason]
    assert automatic and all(" n0" in t.tier_reason or " n1" in t.tier_reason for t in automatic)


# --- qualified names: a context requirement, not a bare ambiguous word -------------------------------------------


def test_kite_needs_a_word_of_its_context(lists, imagenet):
    assert tier_of(imagenet, "kite (bird of prey)", "kite") == "context"
    context = imagenet.context_words()[21]
    assert {"bird", "prey", "hawk", "raptor"} <= set(context)  # qualifier, hypernyms
    assert ("imagenet1k", "kite (bird of prey)") not in counted_classes(lists, "kids flying a kite on the beach")
    assert ("imagenet1k", "kite (bird of prey)") in counted_classes(lists, "a kite, a bird of prey, hunting")
    assert ("imagenet1k", "kite (bird of prey)") in counted_classes(lists, "two kites circling, hawks nearby")


def test_swim_trunks_shorts_is_not_all_shorts(lists, imagenet):
    assert tier_of(imagenet, "swim trunks / shorts", "shorts") == "context"
    assert ("imagenet1k", "swim trunks / shorts") not in counted_classes(lists, "a man in shorts and a t-shirt")
    assert ("imagenet1k", "swim trunks / shorts") in counted_classes(lists, "a boy in swim trunks")


# --- verbs --------------------------------------------------------------------------------------------------------


def test_verb_uses_are_blocked_or_need_context(lists, imagenet):
    assert tier_of(imagenet, "fly", "flies") == "context"  # as often "it flies" as "the flies"
    assert ("imagenet1k", "fly") not in counted_classes(lists, "a bird flies through the air")
    assert ("imagenet1k", "fly") in counted_classes(lists, "a fly on a leaf")
    assert ("imagenet1k", "suit") not in counted_classes(lists, "a colour to suit every taste")
    assert ("imagenet1k", "suit") in counted_classes(lists, "a man in a suit")
    phrases = {b.phrase: b.origin for b in imagenet.block}
    assert phrases["to suit"] == phrases["to fly"] == "verb rule"
    assert "to school" not in phrases  # a noun far more often than a verb


def test_next_to_a_train_is_still_a_train(lists):
    assert ("cifar100", "train") in counted_classes(lists, "a man standing next to train doors")
    # the tracks are not the train (a block phrase of the third pass, after the development labels)
    assert ("cifar100", "train") not in counted_classes(lists, "a man standing next to train tracks")
    assert ("cifar100", "train") not in counted_classes(lists, "how to train your dog")


def test_can_help_is_not_a_can(lists):
    assert ("cifar100", "can") not in counted_classes(lists, "pruning can help the tree grow")


# --- blocking phrases ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "hidden"), [
    ("a man in a baseball cap", ("imagenet1k", "baseball")), ("Mickey Mouse balloon", ("cifar100", "mouse")),
    ("Iron Man poster", ("cifar100", "man")), ("the FA Cup final", ("imagenet1k", "cup")),
    ("fly fishing on the river", ("imagenet1k", "fly")),
])
def test_block_phrases_hide_the_terms_inside_them(lists, text, hidden):
    assert hidden not in counted_classes(lists, text)


def test_block_phrases_are_data_with_their_origin():
    phrases = {b.phrase: b for b in curated_block_phrases()}
    assert {"baseball cap", "Mickey Mouse", "Iron Man", "FA Cup", "hip hop", "fly fishing", "can be",
            "can help"} <= set(phrases)
    assert all(b.origin for b in phrases.values())


# --- compound spellings and head nouns -------------------------------------------------------------------------------


def test_compound_spellings_join_two_words_and_split_one_into_common_nouns():
    from freqscope.terms.tiers import compound_spellings
    from freqscope.terms.wordnet import find_wordnet

    assert compound_spellings("trash can", None) == ["trashcan"]
    assert compound_spellings("Canis familiaris", None) == []  # a scientific name is not a compound
    assert compound_spellings("sea-lion", None) == []  # not two plain words
    wordnet = find_wordnet()
    if wordnet is None:
        pytest.skip("no WordNet 3.0")
    assert compound_spellings("flowerpot", wordnet) == ["flower pot"]
    assert compound_spellings("laptop", wordnet) == ["lap top"]
    assert compound_spellings("greenhouse", wordnet) == []  # "green" is chiefly an adjective: a house that is green
    assert compound_spellings("banana", wordnet) == []  # no cut into two common nouns
    assert compound_spellings("Airedale", wordnet) == []  # a proper name is not cut


@pytest.mark.parametrize(("text", "counted"), [
    ("a man using his lap top on the train", ("imagenet1k", "laptop computer")),
    ("a blue trashcan beside the bench", ("imagenet1k", "trash can")),
    ("red flower pots on the steps", ("imagenet1k", "plant pot")),
    ("five men riding their motor cycles", ("cifar100", "motorcycle")),
])
def test_compounds_written_apart_or_joined_are_counted(lists, text, counted):
    assert counted in counted_classes(lists, text)


def test_a_curated_tier_overrides_an_inflected_form(lists, imagenet):
    assert tier_of(imagenet, "sink", "sinks") == "specific"  # not the verb rule's context term
    assert tier_of(imagenet, "fly", "flies") == "context"  # where no curated tier says otherwise
    assert ("imagenet1k", "sink") in counted_classes(lists, "a bathroom with two sinks")
    assert ("cifar100", "train") in counted_classes(lists, "two trains at the station")
    assert ("imagenet1k", "microwave oven") in counted_classes(lists, "a microwave on the counter")


@pytest.mark.parametrize(("text", "counted"), [
    ("a man talking on his cell phone", ("imagenet1k", "mobile phone")),
    ("a man talking on his cell phone", ("cifar100", "telephone")),
    ("a polar bear on the ice", ("cifar100", "bear")), ("a school bus parked", ("cifar100", "bus")),
])
def test_a_longer_term_of_another_list_does_not_hide_a_kind_of_the_class(lists, text, counted):
    """ImageNet-1k's "cell phone" and "polar bear" win the longest match over CIFAR-100's "phone" and "bear": the
    kinds of a CIFAR-100 class named with its word are curated terms of that class too."""
    assert counted in counted_classes(lists, text)


def test_a_split_spelling_inherits_a_curated_tier(imagenet):
    assert tier_of(imagenet, "baseball player", "ball player") == "blocked"  # "foot ball players"
    assert tier_of(imagenet, "tea cup", "teacup") == "blocked"  # teacup puppies


@pytest.mark.parametrize(("text", "hidden"), [
    ("a man opens a pizza box", ("food101", "pizza")), ("people outside an ice cream shop", ("food101", "ice cream")),
    ("a hot dog stand near the park", ("food101", "hot dog")), ("the hamburger buns", ("food101", "hamburger")),
    ("i always wanted my own pizza oven", ("imagenet1k", "pizza")),
])
def test_a_food_before_a_head_noun_of_heads_csv_is_not_the_food(lists, text, hidden):
    assert hidden not in counted_classes(lists, text)
    assert ("food101", "pizza") in counted_classes(lists, "a pizza in a pizza box")  # the food named apart counts


def test_heads_are_head_words_of_their_list_with_plurals_not_generated_phrases():
    food = load_class_list("food101")
    by_head = {h.head: h for h in food.heads}
    assert {"box", "boxes", "shop", "shops", "stand", "oven"} <= set(by_head)
    assert "a container" in by_head["box"].reason and by_head["boxes"].origin == "plural"
    assert not any(b.phrase in ("pizza box", "donut shop") for b in food.block)  # the rule, not ~23,000 phrases
    assert "box" not in {h.head for h in load_class_list("cifar100").heads}  # heads.csv is per list
    assert {h.head for h in load_class_list("imagenet1k").heads if h.origin == "curated"} == {  # judged: JUDGED.md
        "box", "sign", "van", "cart", "case", "holder", "costume", "removal", "mat", "doll", "bag", "satchel", "pad",
        "battery", "cable", "juice", "bread", "jam", "yogurt", "sauce", "syrup", "chips", "cookie", "scented",
        "pants", "salt", "mitts", "chocolate", "icing", "jelly", "beer", "screenshot",
        # the tenth pass: a class word before these names a railroad, hotel, school, company, team or title
        "tunnel", "railroad", "hotel", "zoo", "academy", "school", "ymca", "conference", "authority", "co", "winery",
        "brewing", "specialist", "press", "studio", "ministry", "gang", "fighters", "club", "awards", "memoirs",
        "republic", "football",
        # the twelfth pass: a product named by what it carries, powers, covers or tastes of
        "messenger", "ac", "lens", "shams", "chiffon",
        # the thirteenth pass: a decor or design style named after a place or thing
        "style",
        # the sixteenth pass: a product named by what it shows or fits
        "cinch", "polo", "pijamas", "hose"}


@pytest.mark.parametrize(("text", "hidden"), [
    ("donuts box on the table", ("food101", "donut")),  # after a plural term too
    ("new baby shoes", ("cifar100", "baby")), ("Baby Girls clothes", ("cifar100", "girl")),
    ("an old violin case", ("imagenet1k", "violin")), ("Candle Holders", ("imagenet1k", "candle")),
])
def test_the_head_rule_follows_every_counted_term_of_the_list(lists, text, hidden):
    assert hidden not in counted_classes(lists, text)


@pytest.mark.parametrize(("text", "hidden"), [
    ("Crochet girls sweater", ("cifar100", "girl")), ("I wear pink for Karli baby blanket", ("cifar100", "baby")),
    ("Newborn Crochet Baby Booties", ("cifar100", "baby")), ("Fight Like a Girl Gloves", ("cifar100", "girl")),
    ("Off-Road Tire at Sears.com", ("cifar100", "road")), ("a bicycle tire on his shoulder", ("cifar100", "bicycle")),
    ("Walrus at Togiak National Wildlife Refuge Mouse Pads", ("cifar100", "mouse")),
    ("a cat wearing an elephant hat", ("cifar100", "elephant")),
])
def test_cifar100_garment_and_product_heads_of_the_fifth_pass(lists, text, hidden):
    """A CIFAR-100 person or thing named as the kind of a garment, hat, glove, blanket, pad or tire is not a
    mention of it (data/terms/JUDGED.md, fifth pass: 39 of the 40 drops read were right)."""
    assert hidden not in counted_classes(lists, text)
    assert ("cifar100", "girl") in counted_classes(lists, "a girl in a red sweater")  # the garment named apart
    assert ("cifar100", "wolf") in counted_classes(lists, "a wolf pants in the snow")  # no head `pants`: a verb


@pytest.mark.parametrize("text", ["AWS Outpost Hybrid Cloud", "Gut Health Word Cloud", "Eggshell Grey Cloud White",
                                  "St. Cloud HS Wrestling Shirt", "a skier in a cloud of snow"])
def test_cifar100_cloud_needs_a_sky_word_but_clouds_does_not(lists, text):
    """The singular cloud is a context term (web names, colours, cloud computing, clouds of dust); the plural
    keeps counting alone (data/terms/JUDGED.md, fifth pass)."""
    assert ("cifar100", "cloud") not in counted_classes(lists, text)
    assert ("cifar100", "cloud") in counted_classes(lists, "a dark cloud in the sky over the harbour")
    assert ("cifar100", "cloud") in counted_classes(lists, "clouds reflected in an inlet")


@pytest.mark.parametrize("text", ["Yesterday TT99 Unisex Tank tile", "a toilet with a blue tank above it",
                                  "THOMAS THE TANK ENGINE AND FRIENDS", "a kitchen with fish tanks"])
def test_cifar100_tank_needs_a_word_of_war(lists, text):
    """tank is a context term: toilet and fish tanks, the garment, names (data/terms/JUDGED.md, fifth pass)."""
    assert ("cifar100", "tank") not in counted_classes(lists, text)
    assert ("cifar100", "tank") in counted_classes(lists, "army 's tanks move during a military exercise")


@pytest.mark.parametrize(("text", "hidden"), [
    ("couple on a road trip .", ("cifar100", "road")), ("Cultured Butter - Sea Salt", ("cifar100", "sea")),
    ("Billionaire Boys Club Dad Hat", ("cifar100", "boy")), ("rubber lined butterfly valve", ("cifar100", "butterfly")),
])
def test_cifar100_salt_club_valve_heads_and_road_trip(lists, text, hidden):
    """A road trip, sea salt, a boys' club, a butterfly valve are not the class (JUDGED.md, fifth pass)."""
    assert hidden not in counted_classes(lists, text)
    assert ("cifar100", "boy") in counted_classes(lists, "a boy trips over a rock")  # no head `trip`: a verb


@pytest.mark.parametrize("text", ["airline passing a road sign while landing", "a pole with three road signs",
                                  "the fence beside the highway sign"])
def test_a_road_sign_is_not_a_road(lists, text):
    assert ("cifar100", "road") not in counted_classes(lists, text)
    assert ("cifar100", "road") in counted_classes(lists, "a sign beside the road")


@pytest.mark.parametrize(("text", "hidden"), [
    ("Incharacter Unisex-baby Jailbird Prisoner Halloween Costume", ("cifar100", "baby")),
    ("Cars Lightning McQueen Kids Boys Girls Long Sleeve Zipper Hoodies", ("cifar100", "girl")),
    ("Teenage Girls Boys Galaxy School Backpack", ("cifar100", "boy")),
    ("Elegant V-neck with Waist Belt Casual women Dress", ("cifar100", "woman")),
])
def test_product_categories_of_two_person_words_are_not_people(lists, text, hidden):
    """"Unisex-baby", "Boys Girls", "Girls Boys", "women Dress" in product titles (JUDGED.md, fifth pass); "baby
    girls" is not one of them: its singular is a real baby girl in most captions."""
    assert hidden not in counted_classes(lists, text)
    assert ("cifar100", "girl") in counted_classes(lists, "a baby girl playing at a park")


@pytest.mark.parametrize("text", ["1st Tier 5 Bed, 4 Bath Home, Pool", "2 Beds - Valley View Apartments",
                                  "Craftsman Style House Plan - 3 Beds 2.5 Baths"])
def test_a_listing_bedroom_count_is_not_a_bed(lists, text):
    assert ("cifar100", "bed") not in counted_classes(lists, text)
    assert ("cifar100", "bed") in counted_classes(lists, "a cat asleep on two beds pushed together")


@pytest.mark.parametrize(("text", "hidden"), [
    ("New X-Men Vol 1 119", ("cifar100", "man")), ("Pac Man Skeleton", ("cifar100", "man")),
    ("Mega Man X Legacy Collection", ("cifar100", "man")), ("like a superhero. Super girl", ("cifar100", "girl")),
])
def test_characters_named_with_a_person_word_are_not_people(lists, text, hidden):
    assert hidden not in counted_classes(lists, text)


@pytest.mark.parametrize(("text", "hidden"), [
    ("Cailin with a toy lobster at the Peggy's Cove Lighthouse", ("cifar100", "lobster")),
    ("a group of stuffed bears sitting on fake grass", ("cifar100", "bear")),
    ("children playing with a toy train", ("cifar100", "train")), ("a stuffed bunny holding a tooth brush", ("cifar100", "rabbit")),
])
def test_a_toy_named_toy_or_stuffed_is_not_the_thing(lists, text, hidden):
    assert hidden not in counted_classes(lists, text)
    assert ("cifar100", "bear") in counted_classes(lists, "the paws of a stuffed polar bear")  # taxidermy, and a kind


@pytest.mark.parametrize(("text", "hidden"), [
    ("the waffle gridded ceiling", ("food101", "waffles")), ("Graduation Cap Cupcake Toppers", ("food101", "cup cakes")),
])
def test_food101_pattern_and_topper_heads(lists, text, hidden):
    assert hidden not in counted_classes(lists, text)
    assert ("food101", "cup cakes") in counted_classes(lists, "a cupcake with a topper")  # the head right after only
    # "cafe" is no head: it is ImageNet-1k's restaurant, which a head would silence with the food before it
    # (the sixth pass blocks the novel "Christmas at the Cupcake Cafe" as a title; any other food before cafe counts)
    assert {("food101", "donuts"), ("imagenet1k", "restaurant")} <= counted_classes(
        lists, "a box of treats from the donut cafe on main street")
    assert ("food101", "waffles") in counted_classes(lists, "waffles shaped into hearts")  # no `shaped` head: a verb


def test_a_head_word_of_one_list_leaves_a_term_only_another_list_counts(lists):
    # "cover" heads CIFAR-100's terms, not ImageNet-1k's: its umbrella still counts
    assert ("imagenet1k", "umbrella") in counted_classes(lists, "an umbrella cover by the door")
    assert ("imagenet1k", "zebra") in counted_classes(lists, "two zebras stand by the water")  # no `stand` here
    assert ("imagenet1k", "sneaker") in counted_classes(lists, "Casual Low Top Sneaker Shoes")  # nor `shoes`
    assert ("cifar100", "bicycle") not in counted_classes(lists, "an umbrella holder and a bike holder")


# --- inflection on the shipped lists --------------------------------------------------------------------------------


def test_food101_plural_names_have_their_singular_and_no_double_plural():
    food = load_class_list("food101")
    terms = {t.term for t in food.terms}
    assert {"taco", "cup cake", "churro", "nacho"} <= terms
    assert not {"tacoses", "cup cakeses", "churroses", "nachoses"} & terms
    cifar = load_class_list("cifar100")
    assert "womans" not in {t.term for t in cifar.terms} and "women" in {t.term for t in cifar.terms}
    assert "deers" not in {t.term for t in load_class_list("cifar10").terms}


def test_tacos_counts_a_taco(lists):
    assert ("food101", "tacos") in counted_classes(lists, "a taco on a plate")


# --- generic names: apart from docs ---------------------------------------------------------------------------------


def test_a_generic_name_counts_apart_for_its_sub_classes(lists, tmp_path):
    """"elephant" is in no class's docs, and in the generic figure of each of its three sub-classes."""
    matcher = Matcher(lists)
    rows = matcher.locate(["an elephant in the zoo"]).class_rows()
    named = Counter((v, t, i) for v, t, i in matcher.named(rows["class_key"]).iter_rows())
    imagenet = lists[0]
    elephants = {c.index for c in imagenet.classes if c.name in ("African bush elephant", "Asian elephant", "tusker")}
    assert not any(v == DEFAULT and t == "imagenet1k" and i in elephants for v, t, i in named)
    corpus = tmp_path / "zoo.txt"
    corpus.write_text("an elephant in the zoo\na tusker\n", encoding="utf-8")
    db = tmp_path / "zoo.duckdb"
    freqscope.index([corpus], db=db, corpus="zoo", classes=["imagenet1k"], quiet=True)
    with freqscope.connect(db) as connection:
        rows = connection.sql("SELECT class_index, e.docs, coalesce(t.generic_docs, 0) FROM exposure e LEFT JOIN "
                              "exposure_tiers t USING (corpus, taxonomy, class_index) WHERE class_index IN "
                              f"({', '.join(map(str, sorted(elephants)))})").rows()
    tusker = next(c.index for c in imagenet.classes if c.name == "tusker")
    assert {i: (d, g) for i, d, g in rows} == {i: (1 if i == tusker else 0, 1) for i in elephants}


# --- curated data files --------------------------------------------------------------------------------------------


def test_curated_files_load_and_name_their_classes_rightly():
    """Every row of data/terms/ names a class by index and name that agree (read_curated refuses others)."""
    for name in ("imagenet1k", "cifar10", "cifar100", "food101"):
        class_list = load_class_list(name)
        read_curated(name, [c.name for c in class_list.classes])


def test_everyday_names_of_the_curated_files_are_terms(imagenet):
    everyday = [row for row in csv.DictReader((TERMS_DATA_DIR / "everyday.csv").open(encoding="utf-8"))]
    lists = {}
    for row in everyday:
        class_list = lists.setdefault(row["taxonomy"], load_class_list(row["taxonomy"]))
        terms = {(t.class_index, t.term): t for t in class_list.terms}
        term = terms[(int(row["class_index"]), row["term"])]
        assert term.tier == row["tier"] and term.origin == row["origin"], row
    assert ("imagenet1k", "television") in counted_classes([imagenet], "a TV on the wall")
    assert ("imagenet1k", "airliner") in counted_classes([imagenet], "an airplane at the gate")


# Everyday names the issue says were missed: curated data (the termdata branch); each passes once its row is in.
MISSED = [("imagenet1k", "television", "a big TV"), ("imagenet1k", "airliner", "an airplane landing"),
          ("imagenet1k", "refrigerator", "the fridge door"), ("imagenet1k", "teapot", "a tea pot"),
          ("imagenet1k", "pickup truck", "a pick up truck"), ("imagenet1k", "race car", "a racecar"),
          ("imagenet1k", "T-shirt", "a tshirt"), ("imagenet1k", "couch", "a sofa in the room"),
          ("imagenet1k", "mobile phone", "my smartphone"), ("imagenet1k", "computer keyboard", "a keyboard"),
          ("imagenet1k", "coffee mug", "a mug of tea"), ("imagenet1k", "sweatshirt", "a hoodie"),
          ("imagenet1k", "traffic or street sign", "a stop sign"), ("imagenet1k", "ox", "cattle grazing"),
          ("imagenet1k", "brown bear", "a grizzly in the river"), ("imagenet1k", "toilet seat", "a toilet"),
          ("cifar10", "automobile", "a car parked")]


@pytest.mark.parametrize(("taxonomy", "class_name", "text"), MISSED, ids=[m[1] for m in MISSED])
def test_everyday_names_are_counted(taxonomy, class_name, text):
    class_list = load_class_list(taxonomy)
    names = [c.name for c in class_list.classes]
    if class_name not in names:
        pytest.skip(f"{taxonomy} has no class {class_name!r}")
    curated = read_curated(taxonomy, names)
    index = names.index(class_name)
    if index not in curated.everyday and not any(t.class_index == index and t.term.lower() in text.lower()
                                                 for t in class_list.terms):
        pytest.skip(f"no curated everyday name of {class_name!r} yet (data/terms/everyday.csv, branch termdata)")
    assert (taxonomy, class_name) in counted_classes([class_list], text)


def test_curated_tiers_override_the_rule(imagenet):
    assert tier_of(imagenet, "baseball", "baseball") == "context"
    assert tier_of(load_class_list("cifar100"), "can", "can") == "context"
    index = next(c.index for c in imagenet.classes if c.name == "promontory")
    head = next(t for t in imagenet.terms if t.class_index == index and t.term == "head")
    assert head.tier_reason.startswith("curated:")


@pytest.mark.parametrize(("file", "text", "message"), [
    ("tiers.csv", "taxonomy,class_index,class,term,tier,reason\nimagenet1k,5,tench,head,blocked,x\n",
     "class 5 of imagenet1k is 'electric ray', not 'tench'"),
    ("tiers.csv", "taxonomy,class_index,class,term,tier,reason\nimagenet1k,0,tench,tench,maybe,x\n",
     "tier 'maybe' is not one of"),
    ("everyday.csv", "taxonomy,class_index,class,term\n", "the header is"),
    ("generic.csv", "taxonomy,term,classes,origin\nimagenet1k,fish,tench;trout,curated\n", "'trout'"),
    ("context.csv", "taxonomy,class_index,class,term,context,origin\nimagenet1k,0,tench,tench,,curated\n",
     "no context words"),
    ("heads.csv", "taxonomy,head,origin,reason\nimagenet1k,box,curated,\n", "empty reason"),
])
def test_a_bad_curated_row_names_file_and_line(tmp_path, file, text, message):
    (tmp_path / file).write_text(text, encoding="utf-8")
    names = [c.name for c in load_class_list("imagenet1k").classes]
    with pytest.raises(FreqscopeError, match=message) as raised:
        read_curated("imagenet1k", names, tmp_path)
    assert str(tmp_path / file) in str(raised.value)


# --- a user's list: block phrases and context words -------------------------------------------------------------


def test_a_user_list_adds_block_phrases_and_context_words(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("name,synonyms,context,block\nkite (toy),,string;beach,kite surfing\nsurfboard,board,,\n",
                    encoding="utf-8")
    mine = load_class_list(path)
    assert [t.tier for t in mine.terms if t.term == "kite"] == ["context"]
    assert {w.context for w in mine.context if w.class_index == 0} >= {"string", "beach", "toy", "strings"}
    assert {b.phrase for b in mine.block} >= {"kite surfing"}
    assert counted_classes([mine], "a kite on a string") == {("mine", "kite (toy)")}
    assert counted_classes([mine], "a kite in the sky") == set()
    assert counted_classes([mine], "kite surfing at the beach") == set()


@pytest.mark.parametrize(("column", "what"), [("block", "block phrase"), ("context", "context word")])
def test_a_bad_block_phrase_or_context_word_names_the_line(tmp_path, column, what):
    path = tmp_path / "mine.csv"
    path.write_text(f"name,{column}\ncat,\ndog,--\n", encoding="utf-8")
    with pytest.raises(FreqscopeError, match=rf"mine.csv, line 3: {what} '--' has no words"):
        load_class_list(path)


def test_cli_shows_tiers_reasons_and_context(tmp_path):
    result = CliRunner().invoke(app, ["classes", "imagenet1k", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(result.output.splitlines()))
    kite = next(r for r in rows if r["class_index"] == "21" and r["term"] == "kite")
    assert kite["tier"] == "context" and "bird" in kite["context"].split(";") and kite["tier_reason"]
    assert {r["tier"] for r in rows} <= {"name", "specific", "context", "blocked", "generic"}
    table = CliRunner().invoke(app, ["classes", "imagenet1k"])
    assert "(blocked)" in table.output and "(context)" in table.output


def test_terms_table_stores_tiers_and_the_lists_read_back(db_path, imagenet):
    from freqscope.store import open_database, read_class_list, store_class_list, transaction

    connection = open_database(db_path)
    with transaction(connection):
        store_class_list(connection, imagenet)
    tiers = dict(connection.execute("SELECT tier, count(*) FROM terms GROUP BY tier").fetchall())
    assert set(tiers) <= {"name", "specific", "context", "blocked", "generic"} and tiers["blocked"] > 100
    again = read_class_list(connection, "imagenet1k")
    assert again.fingerprint() == imagenet.fingerprint()
    assert (again.context, again.block, again.heads) == (imagenet.context, imagenet.block, imagenet.heads)
    assert imagenet.heads
    assert all(t.tier in ACCEPTED_TIERS or not t.ambiguous for t in again.terms)
    connection.execute("DROP TABLE block_heads")  # a database written before the table, opened read-only
    assert read_class_list(connection, "imagenet1k").heads == []


def test_the_judged_sample_of_the_tier_rule_scores():
    """benchmarks/judge_tiers.py score: the shipped judged sample gives the figures docs/class-lists.md quotes."""
    import subprocess
    import sys

    from freqscope.paths import REPO_ROOT

    result = subprocess.run([sys.executable, "benchmarks/judge_tiers.py", "score", "benchmarks/tier_rule_sample.csv"],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert "120 captions judged, 28 mean the class" in result.stdout
    assert "88 false matches no longer counted, 24 true matches lost" in result.stdout


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # a class word before a head noun of cifar100/cifar10 (heads.csv) names another object
    ("Peach Love California Snake Print Top", "cifar100", "snake", False),
    ("newborn baby clothes and rompers", "cifar100", "baby", False),
    ("Toddler Boy Clothes Set", "cifar100", "boy", False),
    ("Baby Girls Boys clothes", "cifar100", "boy", False),  # heads follow plural terms too (they once did not)
    ("bike helmet", "cifar100", "bicycle", False),
    ("a snake in the grass", "cifar100", "snake", True),
    # a person class as a product category is not a mention; a person in a caption is
    ("Saint Peregrine Medal For Women - Gold Filled Necklace", "cifar100", "woman", False),
    ("a woman wearing a red dress", "cifar100", "woman", True),
    ("a woman in a red dress", "cifar100", "woman", True),
    ("Ladies Puffy Vest", "cifar100", "woman", True),  # not adjacent: left to the picture
    # a material is not a forest; the woods are
    ("Ebonised Cherry Wood Jar Spoon", "cifar100", "forest", False),
    ("a deer in the woods", "cifar100", "forest", True),
    # compounds and names
    ("Crab Monogram Beach Towels", "imagenet1k", "beach", False),
    ("a beautiful beach house", "imagenet1k", "beach", False),
    ("a dog on the beach", "imagenet1k", "beach", True),
    ("the girl at the bus stop", "cifar100", "bus", False),
    ("Armie Hammer Shirtless Photos", "imagenet1k", "hammer", False),
    # everyday names of the development recall misses
    ("a man riding bicycle on the street", "cifar100", "road", True),
    ("street lights at night", "cifar100", "road", False),
    ("a bride and groom in countryside", "cifar100", "woman", True),
    ("a bride and groom in countryside", "cifar100", "man", True),
    ("white trainers and dark jeans", "imagenet1k", "sneaker", True),
    ("a dog trainer in the park", "imagenet1k", "sneaker", False),  # the singular is a person
    ("a girl singing on a mic", "imagenet1k", "microphone", True),
])
def test_third_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # PROTOCOL.md: one word that means two classes of a list equally counts for each
    ("woman using laptop with a cup of coffee", "imagenet1k", "notebook computer", True),
    ("woman using laptop with a cup of coffee", "imagenet1k", "laptop computer", True),
    ("a cat beside a notebook computer", "imagenet1k", "laptop computer", True),
    ("a cat beside a notebook computer", "imagenet1k", "notebook computer", True),
    ("blank notebook on a stack of notebooks", "imagenet1k", "notebook computer", False),  # paper ones
    # a class word before a head noun of a product title names another object (heads.csv)
    ("Padded Laptop Bag Tutorial", "imagenet1k", "laptop computer", False),
    ("JOE'S Jeans Satchel in Mustard", "imagenet1k", "jeans", False),
    ("Country Wash Day Mouse Pads", "imagenet1k", "computer mouse", False),
    ("Country Wash Day Mouse Pads", "cifar100", "mouse", False),
    ("Triumph America Motorcycle Battery For 2010", "cifar100", "motorcycle", False),
    ("a mouse on the desk by the keyboard", "imagenet1k", "computer mouse", True),
    ("a laptop in a bag", "imagenet1k", "laptop computer", True),
    # a food or scent made from a fruit or plant is not the fruit (PROTOCOL.md: "orange juice", "apple pie")
    ("a man drinking orange juice while walking", "imagenet1k", "orange", False),
    ("a man drinking orange juice while walking", "cifar100", "orange", False),
    ("Healthier Blueberry Banana Bread recipe", "imagenet1k", "banana", False),
    ("toast with strawberry jam", "imagenet1k", "strawberry", False),
    ("maple syrup sugaring on a wood stove", "cifar100", "maple tree", False),
    ("peeled oranges and a fruit juice", "imagenet1k", "orange", True),
    ("a bunch of bananas on the table", "imagenet1k", "banana", True),
    # clothes after a person class (heads.csv); "dress" is no head: "girls dress up for halloween"
    ("Crochet girls sweater", "cifar100", "girl", False),
    ("Newborn Crochet Baby Booties shoes", "cifar100", "baby", False),
    ("two girls dress up for halloween", "cifar100", "girl", True),
    # colour names that start with a class word (block.csv), not colours as head words
    ("Adios Shoes Eggshell Grey Cloud White Core Black", "cifar100", "cloud", False),
    ("OH MY BABY PINK BODYCON DRESS", "cifar100", "baby", False),
    ("East Kelowna T-Shirt Black", "imagenet1k", "T-shirt", True),
    # everyday names of the development recall misses
    ("pilgrims coffee house - outside the store", "imagenet1k", "restaurant", True),
    ("pilgrims coffee house - outside the store", "cifar100", "house", False),
    ("girls sitting in a cafe , texting", "imagenet1k", "restaurant", True),
    ("automobile model the supercar for the masses", "imagenet1k", "sports car", True),
    ("man paints a wooden wall with a paint brush", "imagenet1k", "paintbrush", True),
])
def test_fifth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


@pytest.mark.parametrize("caption, taxonomy, name", [
    ("i saw a great white shark in real life", "cifar100", "shark"),
    ("a red fox sits on a dirt road", "cifar100", "fox"),
    ("dirty mountain bike in the forest", "cifar100", "bicycle"),
    ("rear view of a sports car", "cifar10", "automobile"),
    ("a fire truck parked in a lot", "cifar10", "truck"),
    ("tabby cat indoors on a hardwood floor", "cifar10", "cat"),
])
def test_a_cifar_class_counts_imagenet_kinds_named_with_its_word_alone_or_beside_imagenet(lists, caption, taxonomy,
                                                                                          name):
    """ImageNet-1k's longer term hides the CIFAR word when both lists are indexed: the kind is the CIFAR class's term
    too (origin hyponym), so the count is the same with ImageNet-1k beside it or without."""
    alone = next(c for c in lists if c.name == taxonomy)
    assert (taxonomy, name) in counted_classes(lists, caption)
    assert (taxonomy, name) in counted_classes([alone], caption)
    assert any(t.origin == "hyponym" and t.tier == "specific" for t in alone.terms if t.term.lower() in caption.lower())


@pytest.mark.parametrize("caption, name", [
    ("lemons on the kitchen table", "table"), ("Klint LED Table Lamp", "lamp"), ("a steam train approaching", "train"),
    ("combine the ingredients in a mixing bowl", "bowl"), ("a coffee mug on a wooden table", "cup"),
])
def test_a_cifar_kind_under_another_wordnet_sense_is_curated(lists, caption, name):
    """WordNet files ImageNet-1k's dining table, table lamp, mixing bowl… under another sense of the word than
    CIFAR-100's wnid: the build rule does not take them, everyday.csv does."""
    assert ("cifar100", name) in counted_classes(lists, caption)
    assert ("cifar100", "cup") not in counted_classes(lists, "the smallest teacup dogs and puppies")


def test_a_kind_not_named_with_the_cifar_word_is_not_taken(lists):
    assert ("cifar100", "seal") not in counted_classes(lists, "a sea lion on the rocks")  # below seal, not its word
    assert not any(t.origin == "hyponym" for t in load_class_list("food101").terms)  # lists without kinds_from


@pytest.mark.parametrize("caption, name, counted", [
    # kinship and role names of a woman or a man (everyday.csv)
    ("actor and his wife attend the premiere", "woman", True),
    ("pregnant wife and husband cuddling on the beach", "man", True),
    ("father and son on a horse", "man", True),
    ("portrait of the actress 1960s", "woman", True),
    # "mother" needs a word of a child or family beside it: animals' mothers are not women
    ("mother and daughter are walking in the park", "woman", True),
    ("a mother elephant walks with her young one", "woman", False),
    ("a calf is resting with its mother", "woman", False),
    # the holidays, product categories and figures are not persons (block.csv)
    ("a mother and child card for Mother's Day", "woman", True),
    ("Happy Mothers Day Portable Speakers", "woman", False),
    ("Mix Red Flowers Bouquet: Gifts For Husband", "man", False),
    ("Cartoon Father Christmas Pattern Bathroom Mats", "man", False),
])
def test_kinship_names_count_for_woman_and_man(lists, caption, name, counted):
    assert (("cifar100", name) in counted_classes(lists, caption)) is counted


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # television: a programme, broadcaster or person named with TV is not a TV set (block.csv)
    ("actor as tv character in tv teen drama wearing a red coat", "imagenet1k", "television", False),
    ("tv producer reacts to a call during the game", "imagenet1k", "television", False),
    ("Berlin TV tower (Fernsehturm), Germany", "imagenet1k", "television", False),
    ("Geri Halliwell attends the Sky Women in Film and TV Awards.", "cifar100", "television", False),
    ("child eating in front of the tv", "imagenet1k", "television", True),
    # a costume or protective garment is not a suit of clothes; a swimming suit is a generic swimsuit
    ("A man in a Santa suit is climbing up a building", "imagenet1k", "suit", False),
    ("The surfer in the black body suit rides a wave", "imagenet1k", "suit", False),
    ("Leisure Suit Larry: Wet Dreams Don't Dry", "imagenet1k", "suit", False),
    ("A young girl in a swimming suit jumps into the water", "imagenet1k", "suit", False),
    ("SKU#DA1113 Men's Camel 2-button Suit", "imagenet1k", "suit", True),
    # everyday names of development recall misses
    ("Five men in tuxedos walk down a set of steps", "imagenet1k", "suit", True),
    ("thatched cottage in the seaside town", "imagenet1k", "thatched roof", True),
    ("Slide-In Front Control Gas Double Oven Convection Range", "imagenet1k", "stove", True),
    ("A kitchen has a vintage gas range and yellow walls.", "imagenet1k", "stove", True),
    # "shades" is the eyewear only with a word of wearing it; "shades of" a colour and "the shade" never
    ("Air Force  Aviator Shades", "imagenet1k", "sunglasses", True),
    ("Skateboarder wearing shades in front of a wall", "imagenet1k", "sunglasses", True),
    ("bridal party wearing shades of blue and yellow", "imagenet1k", "sunglasses", False),
    ("A woman wears a red helmet as she rides in the shade .", "imagenet1k", "sunglasses", False),
    ("Modern LED Drum Pendant Light with White Acrylic Shades", "imagenet1k", "sunglasses", False),
    # a sheet of metal or a fitting is not a dish; a race stage is not a platform; a beach town is not a beach
    ("the number twenty on a metal plate", "imagenet1k", "plate", False),
    ("Plastic Combination Wall Plate", "cifar100", "plate", False),
    ("sponge cake layered on a white plate", "imagenet1k", "plate", True),
    ("Peter Sagan Wins 2012 Tour de France Stage 1", "imagenet1k", "stage", False),
    ("a singer on stage at the festival", "imagenet1k", "stage", True),
    ("Photo of 1738 Carlson Lane, Redondo Beach, CA 90278", "imagenet1k", "beach", False),
    ("Palm Beach Gardens, Florida", "cifar100", "palm tree", False),
    ("a lone person walking in the distance on a long beach .", "imagenet1k", "beach", True),
    # names of bands, chains and games; a phone number is not a telephone
    ("Lacuna Coil new Amazon song", "imagenet1k", "spiral or coil", False),
    ("Alice In Chains:Sap", "imagenet1k", "chain", False),
    ("cracker barrel christmas tree 2015", "imagenet1k", "barrel", False),
    ("The Legend of Zelda: Ocarina of Time 3D", "imagenet1k", "ocarina", False),
    ("wiki, children, bio, phone number, family", "cifar100", "telephone", False),
    ("a woman talks on the phone", "cifar100", "telephone", True),
    # ImageNet-1k's tank needs a word of war, as CIFAR-100's does
    ("Lionel G-scale THOMAS THE TANK ENGINE AND FRIENDS", "imagenet1k", "tank", False),
    ("White toilet in a restroom with three seashells on the tank.", "imagenet1k", "tank", False),
    ("WWII Tiger tank desert color - next-gen model", "imagenet1k", "tank", True),
    # the game's places and wear are not the ball; a glove and "the ball" still say it is
    ("A dog catches a Frisbee at a baseball field during a game .", "imagenet1k", "baseball", False),
    ("brown leather baseball glove with a white ball", "imagenet1k", "baseball", True),
    ("starting pitcher Jarrod Parker after game three", "imagenet1k", "baseball player", True),
    ("baseball outfielder of the fields during the game", "imagenet1k", "baseball player", True),
    # a country, a town, a fabric and a field
    ("07-09 Ivory Coast Away Drogba 11 Name and Number Transfer", "imagenet1k", "beach", False),
    ("James Perse Men's Cotton Jersey Sweatpants", "imagenet1k", "T-shirt", False),
    ("fire at the corn field", "imagenet1k", "corn", False),
    ("roll-cloud-off-coast-of-brazil", "imagenet1k", "beach", True),
    # head words pants, salt, mitts for ImageNet-1k (heads.csv)
    ("SIP Protection Arborist Chainsaw Pants Red/Black", "imagenet1k", "chainsaw", False),
    ("1ST CAMO BEACH PANTS MENS", "imagenet1k", "beach", False),
    ("View Finish Dishwasher Salt 2kg details", "imagenet1k", "dishwasher", False),
    ("a man cutting a log with a chainsaw", "imagenet1k", "chainsaw", True),
    # espresso the colour of furniture is not the drink; with a word of coffee it is
    ("Modern Espresso Desk with Included Hutch", "imagenet1k", "espresso", False),
    ("a cup of espresso on a wooden table", "imagenet1k", "espresso", True),
    # sports teams, a shop and inflatables named with a class word
    ("Toronto Blue Jays 2018 Team Set Baseball Cards by Topps", "imagenet1k", "jay", False),
    ("Women's NFL Pro Line Navy Chicago Bears Retired Player Jersey", "cifar100", "bear", False),
    ("Tropical Sectional Sofas by Pottery Barn", "imagenet1k", "barn", False),
    ("A girl bounces in a bounce house .", "cifar100", "house", False),
    ("Four children are playing on a bouncy castle .", "imagenet1k", "castle", False),
    # puma the brand is not the cougar; coat patterns, a shop, a team and the & spelling of a symbol
    ("Two athletic girls in PUMA outfits hugging each other .", "imagenet1k", "cougar", False),
    ("a puma looking out from a rocky cave", "imagenet1k", "cougar", True),
    ("Powder Pink Zebra Pattern Panel Curtain", "imagenet1k", "zebra", False),
    ("Pre-owned Crate&Barrel Modern Armless Sofa", "imagenet1k", "barrel", False),
    ("Nike Men's Ohio State Buckeyes Team Issue Polo", "imagenet1k", "horse chestnut seed", False),
    ("Obama Hammer & Sickle Oval Decal", "imagenet1k", "hammer", False),
    # more words of a tiger's world
    ("a tiger leaping into a well", "imagenet1k", "tiger", True),
    ("a blond boy petting a tiger", "cifar100", "tiger", True),
    ("A girl holds a blow-up tiger while another girl is in a costume .", "imagenet1k", "tiger", False),
    # flavoured foods are not the fruit; titles, characters and models are not the thing
    ("Edible Undies 3 Piece Strawberry Chocolate", "imagenet1k", "strawberry", False),
    ("Fruit Loop Cookies and Orange Icing", "cifar100", "orange", False),
    ("a chocolate-dipped strawberry on the plate", "imagenet1k", "strawberry", True),
    ("Peppa Pig Book: The Great Easter Egg Hunt", "imagenet1k", "pig", False),
    ("1970 Dodge Coronet Super Bee for sale", "cifar100", "bee", False),
    ("Chrome Bull Bar Push Brush Bumper Grille Guard", "imagenet1k", "ox", False),
    ("Christmas at the Cupcake Cafe, Colgan, Jenny Book", "food101", "cup cakes", False),
    # an airliner named by its maker; a colour is not a jet
    ("Seats in economy class in Airbus A320 Qatar Airways", "imagenet1k", "airliner", True),
    ("Singapore Airlines Fleet Boeing 777-200ER Details", "imagenet1k", "airliner", True),
    ("Two dogs wrestle on jet black sand .", "cifar10", "airplane", False),
    ("a jet flying over the airport", "cifar10", "airplane", True),
    # a jetty is a landing stage (pier), not a breakwater; compounds naming another thing
    ("young boy wearing sunglasses on a wooden jetty at sunrise", "imagenet1k", "pier", True),
    ("young boy wearing sunglasses on a wooden jetty at sunrise", "imagenet1k", "breakwater", False),
    ("schoolboy throwing the hammer on a sports field", "imagenet1k", "hammer", False),
    ("Modern LED Drum Pendant Light with White Acrylic Shades", "imagenet1k", "drum", False),
    ("Bananas Foster Parfaits", "imagenet1k", "banana", False),
    # CIFAR-100: a sea turtle is a turtle, not the sea; a Ninja Turtle is a character
    ("advice from a sea turtle ! :)", "cifar100", "sea", False),
    ("advice from a sea turtle ! :)", "cifar100", "turtle", True),
    ("'Teenage Mutant Ninja Turtles' Comic-Con Panel", "cifar100", "turtle", False),
    # a beach ball is no beach; a beach umbrella is an umbrella
    ("A little girl , running in the grass , kicking a beach ball .", "imagenet1k", "beach", False),
    ("Vintage Print Premium Beach Umbrellas With Fringe", "imagenet1k", "beach", False),
    ("Vintage Print Premium Beach Umbrellas With Fringe", "imagenet1k", "umbrella", True),
    ("The beach is crowded red and white beach umbrellas.", "imagenet1k", "beach", True),
    # "bola" is a ball in Indonesian and Spanish, not a bolo tie
    ("Prediksi Bola Jitu Sporting Gijon Vs Barcelona", "imagenet1k", "bolo tie", False),
    ("a cowboy wearing a bolo tie", "imagenet1k", "bolo tie", True),
])
def test_sixth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the seventh pass (data/terms/JUDGED.md): CIFAR-100's person words in titles, ImageNet-1k's convertible -------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # bands, clubs, brands and characters named with a person word are not a person in the picture
    ("CANVAS OIL PAINTING MODERN ABSTRACT WALL DECOR ART Wonder Woman 24x36(NO FRAME)", "cifar100", "woman", False),
    ("Fall Out Boy Logo Hoodie", "cifar100", "boy", False),
    ("Los Lonely Boys - I'm A Man (Album Version)", "cifar100", "boy", False),
    ("Man Utd fans absolutely raging with Jose Mourinho's defensive decisions", "cifar100", "man", False),
    ("ThreeZero - One-Punch Man - Saitama - Marvelous Toys - 5", "cifar100", "man", False),
    ("The Pioneer Woman Patchwork Lunch Tote w/ Hydration Bottle", "cifar100", "woman", False),
    ("a man walking alone in the fog", "cifar100", "man", True),
    # a title whose word names the person kind in its own sense stays a mention (the development labels)
    ("Woman of the Year (1942)", "cifar100", "woman", True),
    ("The Measure of a Man", "cifar100", "man", True),
    # head words of product titles for CIFAR-100: shawl, bangle, gift
    ("Silk Scarf Luxury Brand Women Shawls New Fashion", "cifar100", "woman", False),
    ("Jeweled Ladies Bangle Watch - MM Watch 4U Store", "cifar100", "woman", False),
    ("Little Jems Baby Gifts", "cifar100", "baby", False),
    ("a baby holding a gift box", "cifar100", "baby", True),
    # convertible: the car needs a word of cars or driving; the adjective of product titles is not the car
    ("Ti Amo Castello Full-Panel Convertible Crib", "imagenet1k", "convertible", False),
    ("Lafayette Convertible Dress", "imagenet1k", "convertible", False),
    ("Young House Love Metal Strap Convertible Chandelier", "imagenet1k", "convertible", False),
    ("women laughing in a convertible car", "imagenet1k", "convertible", True),
    ("Cream 1950 Studebaker convertible on mustard green background", "imagenet1k", "convertible", True),
    # young animals called babies are the animal, not a human baby
    ("A baby elephant stands near to four larger adult elephants.", "cifar100", "baby", False),
    ("A baby elephant stands near to four larger adult elephants.", "cifar100", "elephant", True),
    ("a baby zebra nursing from an adult zebra", "imagenet1k", "zebra", True),
    ("A baby cow gets milk from its mother", "cifar100", "baby", False),
    ("A baby giraffe sucking down a bottle of milk .", "cifar100", "baby", False),
    ("a baby crying in her cot", "cifar100", "baby", True),
    # animals and places named with another class's word
    ("The view of a lemon shark swimming along the sea bed, Bahamas", "imagenet1k", "lemon", False),
    ("The view of a lemon shark swimming along the sea bed, Bahamas", "cifar100", "bed", False),
    ("The view of a lemon shark swimming along the sea bed, Bahamas", "cifar100", "shark", True),
    ("Young Elephant Seal Throw Pillow", "cifar100", "seal", True),
    ("Young Elephant Seal Throw Pillow", "cifar100", "elephant", False),
    ("a group of students have sculpted a mountain gorilla in snow", "imagenet1k", "mountain", False),
    ("a group of students have sculpted a mountain gorilla in snow", "imagenet1k", "gorilla", True),
    ("Two mountain goats standing outside by the snow.", "cifar100", "mountain", False),
    ("a barn owl isolated on a white background .", "imagenet1k", "barn", False),
    # compounds and names that are no table, bed, house, bowl or street
    ("Marshawn Lynch wearing Gold Nike Vapor Speed Cleats for Super Bowl Warm-Ups", "cifar100", "bowl", False),
    ("Sesame Street Elmo and Abby Underwear 3-Pack", "cifar100", "road", False),
    ("AP Inter 1st Year Time Table 2019", "cifar100", "table", False),
    ("A child in a blur shirt playing in a flower bed .", "cifar100", "bed", False),
    ("intricate facade of a gingerbread house", "cifar100", "house", False),
    ("Photo of This Olde House Bed and Breakfast Coos Bay", "cifar100", "bed", False),
    ("Photo of This Olde House Bed and Breakfast Coos Bay", "cifar100", "house", True),
    # a context term that was its own context word: rose, mouse, music speaker
    ("Chaussures Fille Baskets basses Lacoste Blanc / Rose", "cifar100", "rose", False),
    ("Ask EJ: Derrick Rose needs to watch what he says", "cifar100", "rose", False),
    ("a salmon rose in his lapel", "cifar100", "rose", True),
    ("A keyboard and mouse sitting on a desk.", "cifar100", "mouse", False),
    ("a fox jumping on the snow trying to catch mice .", "cifar100", "mouse", True),
    ("Many women have gathered and are listening to speakers .", "imagenet1k", "music speaker", False),
    ("A desktop computer surrounded by two speakers and a keyboard.", "imagenet1k", "music speaker", True),
    # a screenshot of an app or game named with a class word
    ("Teacup Puppies - screenshot", "cifar10", "dog", False),
    # a time of day and cup competitions are no clock and no cup
    ("A man with brown hair and a five o'clock shadow is wearing sunglasses", "cifar100", "clock", False),
    ("Rodolfo Avila racing at Porsche Carrera Cup Asia", "cifar100", "cup", False),
    ("Stanley Cup; Chicago Blackhawks", "cifar100", "cup", False),
    ("a cup of coffee beside a clock", "cifar100", "cup", True),
])
def test_seventh_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # everyday names of ImageNet-1k classes that web captions use (JUDGED.md, ninth pass)
    ("Dingle Coastline Near Fahan Ireland Wood Print", "imagenet1k", "beach", True),
    ("Yuan Tai 1075L-BLK Kaden Black Bonded Leather Loveseat", "imagenet1k", "couch", True),
    ("Cathedral in Guayaqui, Ecuador - Stock Photo", "imagenet1k", "church", True),
    ("Cathedral City mature Lighter grated cheese", "imagenet1k", "church", False),
    ("traditional sailing boat anchored at the island", "imagenet1k", "sailboat", True),
    ("a man takes a nap in a deck chair", "imagenet1k", "folding chair", True),
    ("corner sliding glass doors open up the kitchen and dining space", "imagenet1k", "sliding door", True),
    ("De Koninck Half Pint Glass", "imagenet1k", "beer glass", True),
    ("the bridesmaids arrive on a draft horse drawn wagon .", "imagenet1k", "horse-drawn vehicle", True),
    ("the bridesmaids arrive on a draft horse drawn wagon .", "cifar10", "horse", True),
    ("organic carrots at the farmers market", "imagenet1k", "grocery store", True),
    ("Small white kitchen with a ceiling fan hanging down.", "imagenet1k", "electric fan", True),
    ("A girl in a pink striped shirt is in front of an armoire .", "imagenet1k", "wardrobe", True),
    ("A boy with a metal colander on his head .", "imagenet1k", "strainer", True),
    ("how to hide and ugly washer and dryer in a laundry room .", "imagenet1k", "washing machine", True),
    ("the coffee is prepared for guests in a 19th century coffee machine", "imagenet1k", "coffeemaker", True),
    ("burger restaurant on a branch", "imagenet1k", "restaurant", True),
    ("burger restaurant on a branch", "food101", "hamburger", False),
    ("Used 2011 Ford F-250 Super Duty XLT Crew Cab", "imagenet1k", "pickup truck", True),
    ("Image of Mount Fuji taken by NASA", "imagenet1k", "mountain", True),
    ("Carry-all Pouch featuring the photograph Mt. Rainier II", "imagenet1k", "mountain", True),
    ("a squirrel on a bench in a park", "imagenet1k", "park bench", True),
    # block phrases that hid the class they name are its terms now: the sign, the crib
    ("stone road sign outside the village", "imagenet1k", "traffic or street sign", True),
    ("stone road sign outside the village", "cifar100", "road", False),
    ("A traffic sign has been vandalized to look like a scary face.", "imagenet1k", "traffic or street sign", True),
    ("Ti Amo Castello Full-Panel Convertible Crib", "imagenet1k", "infant bed", True),
    ("Ti Amo Castello Full-Panel Convertible Crib", "imagenet1k", "convertible", False),
    # WordNet lemmas whose first sense is rare in captions
    ("A red stoplight with a street in the background.", "imagenet1k", "traffic light", True),
    ("Three cats hanging out on a teal comforter.", "imagenet1k", "quilt", True),
    ("The hotdog is drizzled with yellow mustard and ketchup", "imagenet1k", "hot dog", True),
    ("A girl in black high kicks over a jack-o-lantern .", "imagenet1k", "carved pumpkin", True),
    # context terms: cinema with a word of the films, combine with a word of the harvest
    ("group of people in 3d glasses watching a movie at cinema", "imagenet1k", "movie theater", True),
    ("Manish Malhotra celebrated 100 years of Indian Cinema", "imagenet1k", "movie theater", False),
    ("two combines harvesting a wheat crop", "imagenet1k", "combine harvester", True),
    ("combine all the ingredients in a mixing bowl .", "imagenet1k", "combine harvester", False),
    # tee: a T-shirt in product titles, not the golf tee or tee ball
    ("Super Spreader Long Sleeve Tee - Men's", "imagenet1k", "T-shirt", True),
    ("golfer watches his tee shot on the ninth tee during event", "imagenet1k", "T-shirt", False),
    ("A little girl about to hit a baseball off a tee", "imagenet1k", "T-shirt", False),
    # pickup's context words, and split spellings the compound rule does not make
    ("decal and symbol on the side of a vintage pickup", "imagenet1k", "pickup truck", True),
    ("A pile of old furnishings on the curb for trash pickup.", "imagenet1k", "pickup truck", False),
    ("Two red mail boxes along a city street.", "imagenet1k", "mailbox", True),
    ("a snow plow that slid off into a creek this morning .", "imagenet1k", "snowplow", True),
    ("multiple mini vans in motion on a colorful background", "imagenet1k", "minivan", True),
    ("A blue Land Rover is driving across a river .", "imagenet1k", "jeep", True),
    ("An electric trolley bus on the street in Seattle", "imagenet1k", "trolleybus", True),
    ("An electric trolley bus on the street in Seattle", "imagenet1k", "tram", False),
])
def test_ninth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


def test_no_context_term_is_its_own_context_word_but_wolf_drake_and_ox():
    """A context word equal to a context term (the list builder adds each context word's singular) makes the term
    count everywhere; the seventh pass took roses, mice and speakers out, and left wolf, drake and ox as they are (JUDGED.md)."""
    own = set()
    for class_list in (load_class_list(name) for name in ("imagenet1k", "cifar100", "food101", "cifar10")):
        context_terms = {(t.class_index, t.term.lower()) for t in class_list.terms if t.tier == "context"}
        own |= {(class_list.name, w.class_index, w.context.lower()) for w in class_list.context
                if (w.class_index, w.context.lower()) in context_terms}
    assert own == {("cifar100", 97, "wolf"), ("cifar100", 97, "wolves"), ("imagenet1k", 97, "ducks"),
                   ("imagenet1k", 345, "oxen")}


# --- the tenth pass (data/terms/JUDGED.md): names built on a class's word ------------------------------------------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # head words after which the class word names a railroad, tunnel, hotel, zoo, school, body, company or team
    ("Sumpter Valley Railroad", "imagenet1k", "valley", False),
    ("The black and white dog sprints through the red parachute tunnel on the grassy field .", "imagenet1k",
     "parachute", False),
    ("Melissi Beach Hotel - Panoramic Pool Area", "imagenet1k", "beach", False),
    ("Cheyenne Mountain Zoo", "imagenet1k", "mountain", False),
    ("Cheyenne Mountain Zoo", "cifar100", "mountain", False),
    ("Big effort as Joe Grassett pitches no-hitter in win over Pembroke Academy", "imagenet1k",
     "Pembroke Welsh Corgi", False),
    ("USB Charger Teenager Laptop School Backpack", "imagenet1k", "laptop computer", False),
    ("ECHN Rehabilitation Center at Indian Valley YMCA at Ellington", "imagenet1k", "valley", False),
    ("Missouri Valley Conference Weekend Recap (May 6th-8th)", "imagenet1k", "valley", False),
    ("The Tennessee Valley Authority is preparing to roll out new fees", "imagenet1k", "valley", False),
    ("looking north from the Pacific Coast Co. dock, c. 1907", "imagenet1k", "beach", False),
    ("looking north from the Pacific Coast Co. dock, c. 1907", "imagenet1k", "dock", True),
    ("South Coast Winery - Chardonnay Sans Chêne - 2018", "imagenet1k", "beach", False),
    ("Chaos Mountain Brewing", "imagenet1k", "mountain", False),
    ("near dorking surrey mole valley specialist cars ltd.", "imagenet1k", "valley", False),
    ("Porcupine Press", "imagenet1k", "porcupine", False),
    ("Blackmagic ATEM Television Studio ATEM 2ME Broadcast Panel", "imagenet1k", "television", False),
    ("Blackmagic ATEM Television Studio ATEM 2ME Broadcast Panel", "cifar100", "television", False),
    ("Church & Ministry Bibles", "imagenet1k", "church", False),
    ("The Bad Touch Bloodhound Gang UK CD single (CD5 / 5", "imagenet1k", "Bloodhound", False),
    ("two West Coast Fighters. Photo from yokedup.com", "imagenet1k", "beach", False),
    ("I Could Love You (Jersey Club Remix) @Cueheat x @DJMerks973", "imagenet1k", "T-shirt", False),
    ("Amanda Abbington attend the Arqiva British Academy Television Awards 2013", "imagenet1k", "television", False),
    ("Brighton Beach Memoirs", "imagenet1k", "beach", False),
    ("melie bianco madison bag, banana republic brown cluster necklace", "imagenet1k", "banana", False),
    ("Bloomsburg Huskies Football Garden Flag", "imagenet1k", "husky", False),
    # names of places, people, brands, titles, breeds and models blocked as phrases
    ("'The Daddy of all Car Boot Sales' at Hook Road Arena! #CarBoot", "imagenet1k", "hook", False),
    ("'The Daddy of all Car Boot Sales' at Hook Road Arena! #CarBoot", "cifar100", "road", False),
    ("Church Hill Tunnel collapsed 93 years ago killing at least 4", "imagenet1k", "church", False),
    ("Central Coast California Private Photography Workshop", "imagenet1k", "beach", False),
    ("1917 Mrs. Vernon Castle 3x5 Theatrical Advertising Co. Card", "imagenet1k", "castle", False),
    ("1917 Mrs. Vernon Castle 3x5 Theatrical Advertising Co. Card", "cifar100", "castle", False),
    ("Blue Banana Evil Clown Makeup Kit Transfer Tattooo Halloween Fancy Dress Costume", "imagenet1k", "banana",
     False),
    ("Glass Kettle Teapot with Tea Egg design by Menu", "imagenet1k", "menu", False),
    ("english civil parish at the start of mile coast to coast .", "imagenet1k", "beach", False),
    ("lilly of the valley accented within her flowers", "imagenet1k", "valley", False),
    ("Farmstead in Winter, 1860 Posters by Frederic Edwin Church", "imagenet1k", "church", False),
    ("8/1 Kings Bay Avenue, Five Dock NSW", "imagenet1k", "dock", False),
    ("June & Ward Cleaver - Leave it to Beaver.", "imagenet1k", "cleaver", False),
    ("Catahoula Leopard Dog Canvas Bags", "cifar100", "leopard", False),
    ("Mountain Feist Tote Bags", "imagenet1k", "mountain", False),
    ("Tri-Mountain 697 Men 60/40 thermal full zip hooded sweatshirt", "cifar100", "mountain", False),
    ("Totally 60 Biscuit - Jammy Dodger 50ml Short Fill E-Liquid", "imagenet1k", "pajamas", False),
    ("The Good Husband of Zebra Drive (No. 1 Ladies' Detective Agency #8)", "imagenet1k", "zebra", False),
    ("PALACE SKATEBOARDS RIPPED 8.6inch", "imagenet1k", "palace", False),
    # the places themselves, and what was left out, still count
    ("Andre Leon Talley attending a memorial service at St Bartholomews Church in New York City", "imagenet1k",
     "church", True),
    ("Wildflowers adorn a dune on a Longboat Pass Beach", "imagenet1k", "beach", True),
    ("Spring color in the Smoky Mountains", "imagenet1k", "mountain", True),
    # (the eighth pass blocks "beach resort" as a phrase: a compound naming the resort, PROTOCOL.md's "pizza oven")
    ("two cruise ships docked near a beach resort", "imagenet1k", "beach", False),
    ("A white dog runs past another dog who is standing beside some patio furniture .", "imagenet1k", "patio", True),
    ("torch lighting up the night on procession", "imagenet1k", "torch", True),
    ("A man in a black hoodie and jeans skateboards down a railing .", "imagenet1k", "jeans", True),
    ("a car drives along a mountain road that leads to Spiti Valley", "cifar100", "road", True),
])
def test_tenth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the twelfth pass (data/terms/JUDGED.md): the dev3 draw's LAION errors, rules judged on the four corpora -----


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # ImageNet-1k's plate is a main course served on a plate: it needs a word of food or a meal
    ("PRE-OWNED JAPANESE PORCELAIN DECORATIVE PLATE FLORAL DESIGN", "imagenet1k", "plate", False),
    ("Avon Images Of Hollywood Easter Parade plate", "imagenet1k", "plate", False),
    ("2013 brand new water filter alkaline machine with 5 plates, get a better drinking water", "imagenet1k", "plate",
     False),
    ("set of ornamental plates with a blue floral decor in manual style", "imagenet1k", "plate", False),
    ("Art Prints of Aspidonia, Plate 47 by Ernest Haeckel", "imagenet1k", "plate", False),
    ("A batter at the plate during a baseball game.", "imagenet1k", "plate", False),
    ("Perfect baklava with pistachio arranged on a white plate stock photo", "imagenet1k", "plate", True),
    ("served fish: roast salmon fish over glass plate isolated over white background", "imagenet1k", "plate", True),
    ("a plate of a dozen oysters", "imagenet1k", "plate", True),
    ("A man taking a picture of plates of food.", "imagenet1k", "plate", True),
    ("A hotdog with mustard and ketchup on a white oval plate.", "imagenet1k", "plate", True),
    ("PRE-OWNED JAPANESE PORCELAIN DECORATIVE PLATE FLORAL DESIGN", "cifar100", "plate", True),  # the dish itself
    # product-title compounds: heads of ImageNet-1k
    ("Utility Laptop Messenger", "imagenet1k", "laptop computer", False),
    ("Genuine ACER ASPIRE 2930 Laptop AC Adapter 19V 3.42A 65W", "imagenet1k", "notebook computer", False),
    ("Mens Womens Shield Lens Rectangular Sport Casual Wrap Around Designer Sunglasses", "imagenet1k", "shield", False),
    ("Chanel Duvet cover Blanket Quilt coverlet Pillow shams 4 PC Bedding SET", "imagenet1k", "pillow", False),
    ("A photo of a Strawberry chiffon cake", "imagenet1k", "strawberry", False),
    ("2000 Nissan Frontier Wiring Diagram 1998 Vw Golf Radio Wiring Diagram", "imagenet1k", "radio", True),  # dev2: yes
    # steps and the theatre, not a platform
    ("The fourth stage of the Bouldering World Cup 2012 in Innsbruck, Austria:", "imagenet1k", "stage", False),
    ("person is a half - formed thing by author , adapted for the stage by actor", "imagenet1k", "stage", False),
    ("Four people in various stage of sledding on a snowy hill", "imagenet1k", "stage", False),
    ("A musician and a crowd next to stage full of musical instruments .", "imagenet1k", "stage", True),
    # denim garments named after jeans
    ("JEANS SHORTS FLAVOUR CUT BLUE", "imagenet1k", "jeans", False),
    ("The man wearing blue jean shorts is grilling .", "imagenet1k", "jeans", False),
    ("The gal wearing the black sunglasses and blue jean jacket is smiling .", "imagenet1k", "jeans", False),
    ("A woman in a jeans skirt and t-shirt looking at a magazine display on the street .", "imagenet1k", "jeans",
     False),
    ("boots - jeans - jacket - shirt - scarf - necklace", "imagenet1k", "jeans", True),
    ("a man wearing a jean jacket ND a pair of jeans walking", "imagenet1k", "jeans", True),
])
def test_twelfth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the eighth pass (data/terms/JUDGED.md): LAION's ImageNet-1k pairs no pass had read, and the dev2 draw -------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # names, models and materials named with a class word
    ("The Bad Touch Bloodhound Gang UK CD single (CD5 / 5", "imagenet1k", "Bloodhound", False),
    ("Bernina Medium Hungarian White Goose Down Pillow", "imagenet1k", "goose", False),
    ("Bernina Medium Hungarian White Goose Down Pillow", "imagenet1k", "pillow", True),
    ("THS Boar Bristle Brush", "imagenet1k", "wild boar", False),
    ("2014 Chevrolet Corvette Stingray C7 live in Detroit", "imagenet1k", "stingray", False),
    ("Pirelli Scorpion MX Soft 410 Rear Tire", "imagenet1k", "scorpion", False),
    ("BluePrint Engines 400CI Stroker Crate Engine", "imagenet1k", "crate", False),
    ("Image 5 of Winchester .22 Long Rifle (LR) Ammo", "imagenet1k", "rifle", False),
    ("Hudson Valley Lighting 8001-AGB-GS4", "imagenet1k", "valley", False),
    ("Sumpter Valley Railroad", "imagenet1k", "valley", False),
    ("Industry Spotlight: Using VFDs for Irrigation and Farming", "imagenet1k", "spotlight", False),
    ("The Dollhouse Beauty Bar: One Full Set of Mink Eyelash Extensions", "imagenet1k", "mink", False),
    ("Badger Brush and Safety Razor Stand", "imagenet1k", "badger", False),
    ("June & Ward Cleaver - Leave it to Beaver.", "imagenet1k", "beaver", False),
    ("2001 Silver American Eagle - MS-69 NGC - American Flag Label", "imagenet1k", "bald eagle", False),
    ("a bald eagle landing on a piling", "imagenet1k", "bald eagle", True),
    # compounds naming another thing
    ("Fisherman paddle boat in sunset Stock Photography", "imagenet1k", "paddle", False),
    ("A man helping a boy on a paddle board in the water.", "imagenet1k", "paddle", False),
    ("a man holding a wooden paddle", "imagenet1k", "paddle", True),
    ("Black/White/Red Plaid Denim Pillow Cover - 20x20", "imagenet1k", "pillow", False),
    ("1953 Mercedes Benz W187 Rear Windshield Glass wind shield", "imagenet1k", "shield", False),
    ("4x Quick Release Latches Push Hood Latch Button Car Pin Bonnet Lock Bumper Clip", "imagenet1k", "poke bonnet", False),
    ("blue and white airplane flying over radio tower", "imagenet1k", "radio", False),
    ("A hot dog cart across from the Radio City Music Hall.", "imagenet1k", "radio", False),
    ("small radio - controlled boats sailing on the lake", "imagenet1k", "radio", False),
    ("antique radio on the dresser", "imagenet1k", "radio", True),
    ("Maglite LED Upgrade 4 5 6 D Cell Torch. Brightest 3 Modes 1000 Lumen 10W Bulb", "imagenet1k", "torch", False),
    ("a man using a spray can as a blow torch", "imagenet1k", "torch", False),
    ("torch lighting up the night on procession", "imagenet1k", "torch", True),
    ("deauville beach resort richelieu ballroom event space miami", "imagenet1k", "beach", False),
    ("Blackmagic ATEM Television Studio ATEM 2ME Broadcast Panel", "imagenet1k", "television", False),
    ("Idyllic view: This stunning holiday home used to be an Victorian toilet block.", "imagenet1k", "toilet seat", False),
    ("Bento Box Microwave/Dishwasher/Freezer Safe Portion Control", "imagenet1k", "safe", False),
    # idioms and verbs
    ("football team manager salutes the fans after the final whistle", "imagenet1k", "whistle", False),
    ("Ancient Sanskrit parchment, setting the stage for similarities with Slovenian", "imagenet1k", "stage", False),
    ("stages of a relationship are similar to the many levels of infrastructure", "imagenet1k", "stage", False),
    ("a band playing on a stage", "imagenet1k", "stage", True),
    ("Suit Yourself Classic Spider-Man Muscle Halloween Costume", "imagenet1k", "suit", False),
    ("That man is not truly brave who is afraid either to seem or to be, when it suits him, a coward.", "imagenet1k", "suit", False),
    ("Pole winner Jeff Gordon, Hendrick Motorsports Chevrolet", "imagenet1k", "pole", False),
    # the platform's word in figures of speech, verbs, steps and machines
    ("ill - fated relationship takes center stage on the new season of below deck", "imagenet1k", "stage", False),
    ("human language - born players who represent other nations on the international stage", "imagenet1k", "stage", False),
    ("protesters stage a peaceful demonstration .", "imagenet1k", "stage", False),
    ("drivers are to stage another strike during sports league championship", "imagenet1k", "stage", False),
    ("sponsors vehicles precede the arrival of the riders in the third stage", "imagenet1k", "stage", False),
    ("Spx Hydraulic Technologies P59 2 Stage POWER TEAM Hydraulic Hand Pump", "imagenet1k", "stage", False),
    ("A musician and a crowd next to stage full of musical instruments .", "imagenet1k", "stage", True),
    ("business is reportedly looking to open a chain of retail stores .", "imagenet1k", "chain", False),
    ("gold hearts connected by a silver chain .", "imagenet1k", "chain", True),
    # a WordNet lemma of another sense: ocarina's "sweet potato"
    ("100g Garlic Herb Chicken Breast 150g Rosemary Baked Sweet Potato", "imagenet1k", "ocarina", False),
    ("A Thanksgiving dinner of turkey, broccoli, sweet potatoes and cranberries.", "imagenet1k", "ocarina", False),
    # context terms: a trolley is a cart in British captions, Jay a given name, papillon French for butterfly
    ("a small boy is pushing a little trolley and playing in the living room .", "imagenet1k", "tram", False),
    ("Business Trolley Luggage", "imagenet1k", "tram", False),
    ("A trolley is going down the street while a car passes it.", "imagenet1k", "tram", True),
    ("What Are The Start-Up Funding Rounds? - Ask Jay", "imagenet1k", "jay", False),
    ("a jay perched on a branch", "imagenet1k", "jay", True),
    ("Painting - Texas Green Jay by Mary Dove", "imagenet1k", "jay", True),
    ("a blue jay at the feeder", "imagenet1k", "jay", True),
    ("coque iphone 8 papillon", "imagenet1k", "Papillon", False),
    ("a Papillon puppy sleeping on a blanket", "imagenet1k", "Papillon", True),
])
def test_eighth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the eleventh pass (data/terms/JUDGED.md): a second batch of unmatched web captions ---------------------------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # everyday names of ImageNet-1k classes that the unmatched web captions use
    ("Outdoor Plastic Recycling Bins", "imagenet1k", "trash can", True),
    ("activists are escorted by Correctional Services officers to a prison van", "imagenet1k", "police van", True),
    ("Golden Gate Bridge in SFrancisco during sunset", "imagenet1k", "suspension bridge", True),
    ("Brooklyn Bridge pre wedding photo shoot", "imagenet1k", "suspension bridge", True),
    ("ASUS ROG Strix G35CZ Gaming Desktop PC, GeForce RTX", "imagenet1k", "desktop computer", True),
    ("Hoover OnePWR Wet/Dry Vac for cleaning up remodeling projects.", "imagenet1k", "vacuum cleaner", True),
    ("Abu Garcia Black Max 3 Low Profile Baitcaster Fishing Reel", "imagenet1k", "fishing casting reel", True),
    ("ECHO Bravo Saltwater Fly Fishing Reel", "imagenet1k", "fishing casting reel", True),
    ("roof tiles useful as a background", "imagenet1k", "tile roof", True),
    ("china factory competitive price stone chip coat roof tile", "imagenet1k", "tile roof", False),
    # a bottle or glass of a drink is that drink's bottle or glass, and still CIFAR-100's bottle
    ("a bottle of beer ready to be reviewed .", "imagenet1k", "beer bottle", True),
    ("a bottle of beer ready to be reviewed .", "cifar100", "bottle", True),
    ("Three bottles of beer sitting on a wooden table next to bananas.", "imagenet1k", "beer bottle", True),
    ("bottles of wine from the vineyard", "imagenet1k", "wine bottle", True),
    ("bottles of wine from the vineyard", "cifar100", "bottle", True),
    ("A man riding a bicycle drinks from a bottle of water .", "imagenet1k", "water bottle", True),
    ("A hot dog with mustard is next to a bottle of soda.", "imagenet1k", "soda bottle", True),
    ("A hot dog with mustard is next to a bottle of soda.", "cifar100", "bottle", True),
    ("A pizza sitting on top of a white plate next to a glass of beer.", "imagenet1k", "beer glass", True),
    # the ball a person is with; the game still needs a ball word
    ("basketball player posing with a basketball .", "imagenet1k", "basketball", True),
    ("images from the girls basketball game .", "imagenet1k", "basketball", False),
    # WordNet lemmas whose first sense is rare in captions; grille guards are no grille
    ("crawfish.JPG", "imagenet1k", "crayfish", True),
    ("changes to the front end include a 3d printed grille and a front bumper .", "imagenet1k", "radiator grille",
     True),
    ("Dee Zee 502245 - Dee Zee Ultra Black Grille Guards", "imagenet1k", "radiator grille", False),
    # ram's context words: the sheep at a show, grazing; the truck and the memory still not
    ("Champion White Suffolk Ram Glen Innes Show 2017", "imagenet1k", "ram (adult male sheep)", True),
    ("a grassy slope with several rams grazing", "imagenet1k", "ram (adult male sheep)", True),
    ("HUAWEI Honor V10 4G Phablet 4GB RAM 128GB ROM", "imagenet1k", "ram (adult male sheep)", False),
    ("bumper from a ram pick up", "imagenet1k", "ram (adult male sheep)", False),
    # pot: a plant pot with a word of plants, a cooking pot without
    ("Hoya Bella wax plant 2 inch pot", "imagenet1k", "plant pot", True),
    ("Two clay pots with leafy green plants in them.", "imagenet1k", "plant pot", True),
    ("a pot of soup simmering on the stove", "imagenet1k", "plant pot", False),
])
def test_eleventh_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the thirteenth pass (data/terms/JUDGED.md): CC3M's ImageNet-1k pairs, verbs and idioms ---------------------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # the verb paddle and a paddle as an outing: no boat paddle is named
    ("competitors bunch together as the paddle their craft round one of the buoys in the race at festival .",
     "imagenet1k", "paddle", False),
    ("kayaking is pretty popular fancy a paddle ?", "imagenet1k", "paddle", False),
    ("the elephants leaped into the pool in their enclosure for a bit of a paddle .", "imagenet1k", "paddle", False),
    ("A man paddles a canoe in a lake .", "imagenet1k", "paddle", False),
    ("four kayakers paddle through the water .", "imagenet1k", "paddle", False),
    ("A paddle boarder on a large, still body of water.", "imagenet1k", "paddle", False),
    ("A man paddles a canoe in a lake .", "imagenet1k", "canoe", True),
    ("A man holding a paddle is standing in front of a yellow kayak .", "imagenet1k", "paddle", True),
    ("A group of children are sitting on a raft wearing blue helmets and carrying paddles .", "imagenet1k",
     "paddle", True),
    ("A team of rowers propel their boat forward with their paddles in the water .", "imagenet1k", "paddle", True),
    # the verb suit, idioms of drums and hay
    ("tempered , melted chocolate for dipping fruits or whatever suits your fancy", "imagenet1k", "suit", False),
    ("i like this look and think it would suit our style of house .", "imagenet1k", "suit", False),
    ("a young handsome man in a suit talking on a mobile phone", "imagenet1k", "suit", True),
    ("this man was trying to drum up business asking tourists", "imagenet1k", "drum", False),
    ("amazing exercises to make your abs tight as a drum .", "imagenet1k", "drum", False),
    ("details of an old dusty and retro drum set", "imagenet1k", "drum", True),
    ("make hay while the sun shines .", "imagenet1k", "hay", False),
    ("a man brings hay to horses", "imagenet1k", "hay", True),
    # a dugout, equipment or a player of the game is not the ball; a glove with a ball beside it keeps the ball
    ("Many caps and gloves sit in front of the players in a baseball dugout.", "imagenet1k", "baseball", False),
    ("basketball shooting guard holds up his jersey during a news conference", "imagenet1k", "basketball", False),
    ("A dug out filled with baseball players next to baseball equipment.", "imagenet1k", "baseball", False),
    ("brown leather baseball glove with a white ball", "imagenet1k", "baseball", True),  # dev: yes
    # a decor or design style named after a place or thing (head word)
    ("example of a mountain style bathroom design", "imagenet1k", "mountain", False),
    ("heavy metal prison style bars isolated on a white background .", "imagenet1k", "prison", False),  # dev2: no
    ("eclectic rug adds bright pops of color to the beach style kids room", "imagenet1k", "beach", False),
    ("a clearing storm leaves clouds over the mountain below", "imagenet1k", "mountain", True),
])
def test_thirteenth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the fourteenth pass (data/terms/JUDGED.md): model and product names ------------------------------------------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # a model or product line that names the object itself
    ("2003 Porsche 911 GT3 2dr Manual Petrol Coupe", "imagenet1k", "sports car", True),
    ("Next-Gen Porsche 911 Could Go Hybrid", "imagenet1k", "sports car", True),
    ("Apple Watch Series 5", "imagenet1k", "digital watch", True),
    ("apple-watch", "imagenet1k", "digital watch", True),
    ("Asus ZenBook 3 - les photos officielles", "imagenet1k", "laptop computer", True),
    ("Asus ZenBook 3 - les photos officielles", "imagenet1k", "notebook computer", True),
    ("The new iMac Pro, to buy or not to buy", "imagenet1k", "desktop computer", True),
    ("Fender Blacktop Jazzmaster Sunburst (Pre-Owned)", "imagenet1k", "electric guitar", True),
    # the maker alone, and the names read and left out: teams, caps, cases, manuals
    ("Porsche Black Crest Logo Cap, Official Licensed", "imagenet1k", "sports car", False),
    ("Paratrooper Skull iPhone 5C Case", "imagenet1k", "mobile phone", False),
    ("canon eos 1100d manual", "imagenet1k", "reflex camera", False),
    ("Kawaii ghost sleeves for MacBooks", "imagenet1k", "laptop computer", False),
])
def test_fourteenth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the sixteenth pass (data/terms/JUDGED.md): ImageNet-1k class words in modifier position ----------------------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # head words: a product named by what it shows or fits (imagenet1k's heads; a term shared with a list
    # that counts it is silenced there too)
    ("bird listen to music - Sweatshirt Cinch Bag", "imagenet1k", "sweatshirt", False),  # dev: no
    ("Irish Harp Polo Shirt", "imagenet1k", "harp", False),  # dev: no
    ("Sleepwear Panda Pijamas Mujer Bathrobe", "imagenet1k", "giant panda", False),  # dev: no
    ("Brass Y connector for washing machine hose split", "imagenet1k", "washing machine", False),
    ("a woman loads a washing machine", "imagenet1k", "washing machine", True),
    ("a harp player on stage", "imagenet1k", "harp", True),
    # block phrases: a compound naming something else
    ("Maxi-Cosi Pria 70 Convertible Car Seat in Sweet Cerise", "imagenet1k", "convertible", False),  # dev: no
    ("Maxi-Cosi Pria 70 Convertible Car Seat in Sweet Cerise", "cifar10", "automobile", False),
    ("Casual Beach Bikini Cover Up Blouses", "imagenet1k", "bikini", False),  # dev: no
    ("person and her friend staring off their hens night in the fire truck", "imagenet1k", "hen", False),
    ("person and her friend staring off their hens night in the fire truck", "imagenet1k", "fire truck", True),
    ("Alabama Grooms Cake on Cake Central", "imagenet1k", "bridegroom", False),
    ("Alabama Grooms Cake on Cake Central", "cifar100", "man", False),
    ("Tent Card Placeholders Rainbow Cloud Unicorn Design - Folded", "imagenet1k", "tent", False),
    ("Floral Magnolia Brown Hook Rug", "imagenet1k", "hook", False),
    ("banana leaf : samples of the food we ate", "imagenet1k", "banana", False),
    ("Double-Braided Dock Line", "imagenet1k", "dock", False),
    ("Interlocking U Golf Ball Markers and Hat Clip Set", "imagenet1k", "golf ball", False),
    ("Hourglass Figure Midi Dress IVORYBLACK", "imagenet1k", "hourglass", False),
    ("Prep School 4 Piece Crib Bedding Set", "imagenet1k", "infant bed", False),
    ("The Pillow Talk", "imagenet1k", "pillow", False),
    ("Crescent Pizza Pockets Recipe", "imagenet1k", "pizza", False),
    ("Crescent Pizza Pockets Recipe", "food101", "pizza", False),
    ("150 Jumbo Brown COTURNIX and TEXAS A&M QUAIL HATCHING EGGS", "imagenet1k", "quail", False),
    ("Playtime Castle Bounce House", "imagenet1k", "castle", False),
    ("Playtime Castle Bounce House", "cifar100", "castle", False),
    ("Playtime Castle Bounce House", "cifar100", "house", False),
    # figures, plants, the game, jersey fabric, accessories for the iPod
    ("Mum ECH Centre Mum Fig 2. Inadequate physical and social infrastructure", "imagenet1k", "fig", False),
    ("Allamanda Golden Trumpet Stock Photography", "imagenet1k", "cornet", False),
    ("defends during the second half of Game 1 of a first-round NBA basketball playoff series", "imagenet1k",
     "basketball", False),
    ("Grey marl grey BASIC SHORT LENGTH JERSEY SHORT", "imagenet1k", "T-shirt", False),
    ("Various Pattern Hard Skin Case Cover For Apple iPod Touch 5 5TH 5G Gen", "imagenet1k", "iPod", False),  # dev: no
    ("eForcity Case Pouch for iPod classic 5G/6G", "imagenet1k", "iPod", False),
    # CC3M: a male moose, a road sign, the zodiac, an idiom, people of comics
    ("spotting our first bull moose in the river on a rainy afternoon", "imagenet1k", "ox", False),
    ("spotting our first bull moose in the river on a rainy afternoon", "cifar100", "cattle", False),
    ("open range cattle crossing warning sign along a road", "imagenet1k", "ox", False),
    ("it will be the year of rooster wishing you all good luck !", "imagenet1k", "rooster", False),
    ("in the year of the dog - be a wolf .", "cifar10", "dog", False),
    ("person , the official mascot of set stage alight .", "imagenet1k", "stage", False),
    ("actor looks a lot like comic book penciler , albeit much younger .", "imagenet1k", "comic book", False),
    ("a fig tree heavy with ripe fruit", "imagenet1k", "fig", True),
    ("a bull standing in a field", "imagenet1k", "ox", True),
    ("cattle crossing the road in the fog", "imagenet1k", "ox", True),
    ("a girl reads a comic book", "imagenet1k", "comic book", True),
    ("a man plays the trumpet on stage", "imagenet1k", "cornet", True),
    # the same words where they name the thing, and the rules tried and left out
    ("a quail on a fence post", "imagenet1k", "quail", True),
    ("a hen and her chicks", "imagenet1k", "hen", True),
    ("the bride and groom cut the cake", "imagenet1k", "bridegroom", True),
    ("camping tent near mountain river in the summer", "imagenet1k", "tent", True),
    ("Korg Krome 73 Keyboard Workstation", "cifar100", "keyboard", True),  # a musical keyboard is CIFAR-100's
    ("mixing the flour , sugar , salt and yeast for a pizza dough", "imagenet1k", "dough", True),
    ("A Siamese cat is laying across the laptop keys.", "imagenet1k", "laptop computer", True),
    ("A small bowl of broccoli with some slices of apple and a lemon wedge.", "imagenet1k", "lemon", True),
    ("coral reef outside the island", "imagenet1k", "coral reef", True),
])
def test_sixteenth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted


# --- the fifteenth pass (data/terms/JUDGED.md): recall, a third batch of unmatched web captions --------------------


@pytest.mark.parametrize("caption, taxonomy, name, counted", [
    # everyday names, kinds and spellings the unmatched captions use
    ("Inside of an old subway car", "imagenet1k", "railroad car", True),
    ("Inside of an old subway car", "cifar10", "automobile", False),  # a subway car is no automobile
    ("a bomber leads a formation of fighter aircraft including air force", "imagenet1k", "military aircraft", True),
    ("a bomber leads a formation of fighter aircraft including air force", "cifar10", "airplane", True),
    ("A red fighter plane on runway next to building.", "imagenet1k", "military aircraft", True),
    ("A red fighter plane on runway next to building.", "imagenet1k", "airliner", False),
    ("A red fighter plane on runway next to building.", "cifar10", "airplane", True),
    ("A jet fighter flying through the sky above a snow covered mountain.", "imagenet1k", "military aircraft", True),
    ("A jet fighter flying through the sky above a snow covered mountain.", "cifar10", "airplane", True),
    ("tourist attraction photographed from an aeroplane coming into land", "imagenet1k", "airliner", True),
    ("woman spends time in a jacuzzi", "imagenet1k", "hot tub", True),
    ("a big horned sheep stands on top of a rock formation", "imagenet1k", "bighorn sheep", True),
    ("Three big horn sheep are in an enclosed pasture. ", "imagenet1k", "bighorn sheep", True),
    ("Electric steam iron with water tank capacity: 350mL", "imagenet1k", "clothes iron", True),
    ("Class of 2012 - Grad Cap on Earth w/Diploma Planner", "imagenet1k", "graduation cap", True),
    ("Wooden dinning table and chairs : Stock Photo", "imagenet1k", "dining table", True),
    ("Wooden dinning table and chairs : Stock Photo", "cifar100", "table", True),
    ("Reevu MSX1 Black Gloss Rear View Full Face Helmet", "imagenet1k", "crash helmet", True),
    ("A young man in a bicycle helmet rides on a street .", "imagenet1k", "crash helmet", True),
    ("A person wearing a motorcycle helmet is riding a skateboard.", "imagenet1k", "crash helmet", True),
    ("Kitchenware Watering Can and Flowers Salt and Pepper Shakers", "imagenet1k", "salt shaker", True),
    ("Fallsworth - Smoke 4 Piece Sectional", "imagenet1k", "couch", True),
    ("Fallsworth - Smoke 4 Piece Sectional", "cifar100", "couch", True),
    ("JANE BI-SECTIONAL STITCH Wicker Park Bucktown Chicago Lifestyle Boutique", "imagenet1k", "couch", False),
    ("Large public transportation train in different coloration sectionals.", "imagenet1k", "couch", False),
    ("Wausau TF4305 Round Outdoor Planter - Weatherstone Sand 60x38", "imagenet1k", "plant pot", True),
    ("little piglet running in a farm field in the countryside", "imagenet1k", "pig", True),
    ("A little girl in a white jacket holding a piglet toy .", "imagenet1k", "pig", False),
    ("person of a nautilus shell", "imagenet1k", "chambered nautilus", True),
    ("A donut that with sprinkles on half sits atop a Nautilus jump rope.", "imagenet1k", "chambered nautilus", False),
    # WordNet lemmas whose first sense is rare in captions
    ("Bobsled on wheels Stock Footage", "imagenet1k", "bobsleigh", True),
    ("wall-mounted washbasin", "imagenet1k", "sink", True),
    # the bow aimed is the weapon; a gift's bow still not
    ("attractive woman bending a bow and aiming in the sky", "imagenet1k", "hunting bow", True),
    ("a gift box tied with a pink bow", "imagenet1k", "hunting bow", False),
])
def test_fifteenth_pass_rules(lists, caption, taxonomy, name, counted):
    assert ((taxonomy, name) in counted_classes(lists, caption)) is counted
