"""One function per construction of reported speech, and the order they run in.

`PIPELINE` runs over the whole article: transcript turns, then every cue's dependency frame, then
every quotation no cue covered. A quotation goes through `QUOTATION_CONSTRUCTIONS` in order; the
first that takes it wins. Each construction reads the article and adds or extends candidates there.
"""

from __future__ import annotations

from collections.abc import Callable

from streams.nlp.quotes.candidates import Article
from streams.nlp.quotes.cues import cue_frames
from streams.nlp.quotes.quotations import quotation_marks
from streams.nlp.quotes.transcripts import questions_and_answers, transcript_turns

#: The passes over the article, in order: turns and answers first (their content is no cue's), then cues' frames,
#: then the quotations no frame covered.
PIPELINE: tuple[Callable[[Article], None], ...] = (
    transcript_turns,
    questions_and_answers,
    cue_frames,
    quotation_marks,
)
