"""Which of Octet's five languages (en, fr, de, es, it) a chat message is written in, offline and instantly.

`detect_language(text)` scores frequent function words and the letters and spellings each language alone uses,
after removing code, links and numbers; it returns "" when the text gives no evidence (e.g. "ok", a code block).
It reads the first `DETECT_CHARS` characters: plenty to tell, and a pasted megabyte costs no more than they do.
Plain Python, no Qt.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

LANGUAGES = ("en", "fr", "de", "es", "it")

_STOPWORDS = {
    "en": """the a an and or but of to in on at for with from by about as is are was were be been being am do
        does did have has had i you he she it we they me him her us them my your his its our their this that
        these those what which who whom whose when where why how there here not no yes can could would should
        will shall may might must if then than so just also very more most some any all each every into out up
        down over under again only own same too few other such both after before because while until what's
        it's i'm don't doesn't can't won't isn't aren't i've you're let's please thanks thank hello hi hey
        write explain tell give show make help need want know think like get use using way something anything
        one two new good best between without through during please could""",
    "fr": """le la les l un une des du de d et ou mais donc car ni que qu qui quoi dont où ce c cet cette ces
        je j tu il elle on nous vous ils elles me m te t se s lui leur leurs mon ma mes ton ta tes son sa ses
        notre nos votre vos est sont était être avoir ai as avons avez ont suis es fait faire peux peut pouvez
        veux voudrais pourrais dans sur sous avec sans pour par chez entre vers pas ne n plus moins très bien
        aussi comme comment pourquoi quand quel quelle quels quelles y en au aux ça cela ceci merci bonjour
        salut oui non explique expliquer écris écrire donne peux-tu pouvez-vous est-ce moi toi tout tous toute
        toutes faut selon entre après avant depuis encore déjà chose quelque""",
    "de": """der die das den dem des ein eine einen einem einer eines und oder aber denn sondern dass daß wenn
        weil ob als wie was wer wo warum wann welche welcher welches ich du er sie es wir ihr mich dich sich
        uns euch mir dir ihm ihnen mein meine dein deine sein seine unser euer ist sind war waren bin bist
        seid sein haben hat habe hast hatte wird werden wurde kann kannst können könnte möchte muss müssen
        soll sollte will wollen nicht kein keine keinen nichts auch noch schon nur sehr mehr mit von zu zum
        zur bei nach aus für über unter auf an am im in ins vom durch gegen ohne um bitte danke hallo ja nein
        gibt erkläre erklären schreibe schreib mir mal doch eigentlich etwas alle diese dieser dieses diesen
        diesem zusammen man viel viele wieso weshalb jetzt heute morgen immer""",
    "es": """el la los las lo un una unos unas y e o u pero sino que qué quien quién cual cuál cuales como cómo
        cuando cuándo donde dónde porque por para con sin sobre entre hasta desde hacia de del al a en es son
        era eran ser estar está están estoy estás soy eres somos fue han ha he has hay haber tengo tiene
        tienes tienen puedo puede puedes pueden podrías quiero quieres necesito me te se nos os le les mi
        mis tu tus su sus nuestro nuestra este esta estos estas ese esa eso esto muy más menos también ya no
        sí gracias hola buenos buenas dime explica explícame escribe dame cuáles usted ustedes algo todo
        todos toda todas cada otro otra mejor cuanto cuanta cuantos cuantas cuánto cuánta cuántos cuántas
        hace hacer ahora hoy siempre mucho mucha""",
    "it": """il lo la i gli le un uno una l dell della dello delle degli dei del al allo alla alle agli ai
        nel nella nello nelle negli nei sul sulla sui e ed o ma però che chi cosa come quando dove perché
        quale quali quanto di da in con su per tra fra a è sono era erano essere ho hai ha abbiamo avete
        hanno sei siamo siete puoi può possiamo potresti vorrei voglio mi ti si ci vi gli mio mia miei mie
        tuo tua tuoi suo sua suoi nostro questo questa questi queste quello quella non più molto anche già
        ancora sì grazie ciao buongiorno spiegami spiega scrivi dammi dimmi qualcosa tutto tutti ogni altro
        altra meglio qual quanto quanta quanti quante adesso oggi sempre fare fammi""",
}
_WORDS = {code: set(words.split()) for code, words in _STOPWORDS.items()}

# Letters and spellings that point to one language (or two), with their weight per occurrence.
_LETTERS = {
    "ß": {"de": 3.0}, "ä": {"de": 1.5}, "ö": {"de": 1.5}, "ü": {"de": 1.5},
    "ñ": {"es": 3.0}, "¿": {"es": 3.0}, "¡": {"es": 3.0}, "á": {"es": 1.5}, "í": {"es": 1.2}, "ó": {"es": 1.2},
    "ú": {"es": 1.0},
    "ç": {"fr": 2.0}, "œ": {"fr": 3.0}, "ê": {"fr": 1.5}, "â": {"fr": 1.5}, "î": {"fr": 1.5}, "û": {"fr": 1.5},
    "ë": {"fr": 1.0}, "ï": {"fr": 1.0}, "é": {"fr": 0.8, "es": 0.2, "it": 0.2},
    "è": {"fr": 0.6, "it": 0.6}, "à": {"fr": 0.6, "it": 0.6}, "ù": {"fr": 0.3, "it": 0.6},
    "ò": {"it": 1.5}, "ì": {"it": 1.5},
}
_SPELLINGS = [
    (re.compile(r"\b(?:l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu)['’]\w"), {"fr": 1.0, "it": 0.3}),
    (re.compile(r"\b(?:dell|nell|all|sull|dall|quest|quell|un|c)['’]\w"), {"it": 1.5}),
    (re.compile(r"\w(?:tion|tions)\b"), {"fr": 0.3, "en": 0.3}),
    (re.compile(r"\w(?:zione|zioni|mente|ggi|gli|cch)\w*"), {"it": 0.6}),
    (re.compile(r"\w(?:ción|ciones|dad|mente)\b"), {"es": 0.6}),
    (re.compile(r"\w(?:ung|ungen|heit|keit|lich|isch)\b|sch|\bge\w+t\b"), {"de": 0.6}),
    (re.compile(r"\w(?:eau|eaux|eux|euse|ais|ait|aient)\b"), {"fr": 0.6}),
    (re.compile(r"\bth\w|\w(?:ing|ly)\b|\bwh\w"), {"en": 0.6}),
    (re.compile(r"\w{3}(?:os|as)\b"), {"es": 0.3}),
    (re.compile(r"\w{3}[io]re\b|\w{3}i\b"), {"it": 0.3}),
    (re.compile(r"\w{3}(?:iere|ieren|chen|lich)\b"), {"de": 0.4}),
]

_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.DOTALL)
_LINK = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MIN_SCORE = 1.0
DETECT_CHARS = 2_000  # the e-mail pattern takes time growing with the square of a run without spaces


def clean_for_detection(text: str) -> str:
    """Lower-cased NFC text without code blocks, inline code, links and e-mail addresses."""
    text = unicodedata.normalize("NFC", text)
    text = _LINK.sub(" ", _CODE.sub(" ", text))
    return text.lower()


def language_scores(text: str) -> Counter:
    """Evidence for each language: function words (shared ones split), distinctive letters and spellings."""
    text = clean_for_detection(text)
    scores: Counter = Counter({code: 0.0 for code in LANGUAGES})
    for token in _TOKEN.findall(text):
        for word in _word_forms(token):
            owners = [code for code in LANGUAGES if word in _WORDS[code]]
            for code in owners:
                scores[code] += 1.0 / len(owners)
    for char, weights in _LETTERS.items():
        count = text.count(char)
        for code, weight in weights.items():
            scores[code] += count * weight
    for pattern, weights in _SPELLINGS:
        count = len(pattern.findall(text))
        for code, weight in weights.items():
            scores[code] += count * weight
    return scores


_ELISIONS = {"l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu",
             "dell", "nell", "all", "sull", "dall", "quest", "quell", "un"}


def _word_forms(token: str) -> list[str]:
    """A token, or for an elision ("l'amour", "dell'acqua") its article and its word; "don't" stays whole."""
    token = token.replace("’", "'")
    if "'" not in token or any(token in words for words in _WORDS.values()):
        return [token]
    head, tail = token.split("'", 1)
    return [head, tail] if head in _ELISIONS else [head]


def detect_language(text: str) -> str:
    """The most likely of `LANGUAGES` for `text`, or "" when there is too little to tell."""
    scores = language_scores(text[:DETECT_CHARS])
    (best, top), (_second, runner_up) = scores.most_common(2)
    if top < MIN_SCORE or top == runner_up:
        return ""
    return best


def conversation_language(messages) -> str:
    """The language of the first user message with any evidence (messages have `.role` and `.content`)."""
    for message in messages:
        if getattr(message, "role", "") == "user":
            found = detect_language(getattr(message, "content", ""))
            if found:
                return found
    return ""


__all__ = ["LANGUAGES", "detect_language", "conversation_language", "language_scores", "clean_for_detection"]
