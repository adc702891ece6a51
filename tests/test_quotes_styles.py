"""Quote extraction on sentences written in the styles the extractor meets: wire copy with datelines,
British and Canadian papers, sports reports, political coverage. Each asserts the exact quotes."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tests.support import found

CASES = [
    # Wire copy: the dateline is no speaker.
    (
        "LONDON (Reuters) - Britain's finance minister said on Tuesday that borrowing would fall next year.",
        [("indirect", ["that borrowing would fall next year"], "said", ["Britain's finance minister"])],
    ),
    (
        "OTTAWA — Finance Minister Jane Doe says the federal deficit will shrink by half over the next two years.",
        [
            (
                "indirect",
                ["the federal deficit will shrink by half over the next two years"],
                "says",
                ["Finance Minister Jane Doe"],
            )
        ],
    ),
    (
        "MONTREAL — Quebec's premier announced Wednesday that the province would lift its mask mandate on May 14.",
        [
            (
                "indirect",
                ["that the province would lift its mask mandate on May 14"],
                "announced",
                ["Quebec's premier"],
            )
        ],
    ),
    # Wire copy: a dateline the parser ran into the report is no one's words.
    (
        "WASHINGTON (AP) — The Pentagon is preparing to send up to 3,000 more troops to the region, two U.S. "
        "officials said Tuesday.",
        [
            (
                "indirect",
                ["The Pentagon is preparing to send up to 3,000 more troops to the region"],
                "said",
                ["two U.S. officials"],
            )
        ],
    ),
    # A dateline the parser ran into the speaker's phrase: the speaker starts after its dash.
    (
        "TORONTO — Ontario's auditor general says the province overpaid for hospital construction by $1.2 billion.",
        [
            (
                "indirect",
                ["the province overpaid for hospital construction by $1.2 billion"],
                "says",
                ["Ontario's auditor general"],
            )
        ],
    ),
    (
        "TORONTO - Ontario's auditor general says the province overpaid for hospital construction.",
        [("indirect", ["the province overpaid for hospital construction"], "says", ["Ontario's auditor general"])],
    ),
    # Canadian: a long speaker phrase the parser read into the quotation's clause.
    (
        "\"It's a historic day for our community,\" Chief Rosanne Casimir of the Tk'emlups te Secwepemc First "
        "Nation told the gathering.",
        [("direct", ['"It\'s a historic day for our community,"'], "told", ["Chief Rosanne Casimir"])],
    ),
    # Opinion: a person named by relation introduces the quotation with a colon.
    (
        "My neighbour, a retired nurse, put it best: \"They don't know what they're doing, and they don't care.\"",
        [
            (
                "direct",
                ["\"They don't know what they're doing, and they don't care.\""],
                "put",
                ["My neighbour, a retired nurse"],
            )
        ],
    ),
    # British papers.
    (
        '"There is no plan B," the Prime Minister\'s official spokesman told reporters at Westminster.',
        [("direct", ['"There is no plan B,"'], "told", ["the Prime Minister's official spokesman"])],
    ),
    (
        '"We were second best from the first whistle," admitted the Arsenal manager, whose side slipped to fifth.',
        [("direct", ['"We were second best from the first whistle,"'], "admitted", ["the Arsenal manager"])],
    ),
    (
        'Ms. Sturgeon wrote on Twitter that Scotland\'s voice "must be heard" in the negotiations.',
        [("mixed", ['that Scotland\'s voice "must be heard" in the negotiations'], "wrote", ["Ms. Sturgeon"])],
    ),
    # Canadian papers.
    (
        "Ottawa Mayor Jim Watson told reporters Monday that the LRT line would not reopen before the end of the month.",
        [
            (
                "indirect",
                ["that the LRT line would not reopen before the end of the month"],
                "told",
                ["Ottawa Mayor Jim Watson"],
            )
        ],
    ),
    (
        "According to Statistics Canada, the jobless rate fell to 5.2 per cent in June.",
        [("indirect", ["the jobless rate fell to 5.2 per cent in June"], "According", ["Statistics Canada"])],
    ),
    (
        "In a statement, the RCMP said officers had arrested two men in connection with the break-in.",
        [("indirect", ["officers had arrested two men in connection with the break-in"], "said", ["the RCMP"])],
    ),
    (
        "Smith, 34, told CBC News he had not been paid for three months.",
        [("indirect", ["he had not been paid for three months"], "told", ["Smith, 34"])],
    ),
    # Sports.
    (
        '"It\'s a sad day for hockey in this city," said Canucks captain Bo Horvat. "We let the fans down."',
        [
            (
                "direct",
                ['"It\'s a sad day for hockey in this city,"', '"We let the fans down."'],
                "said",
                ["Canucks captain Bo Horvat"],
            )
        ],
    ),
    (
        "The Raptors coach was blunt about his team's effort. \"We didn't show up tonight,\" he said.",
        [("direct", ['"We didn\'t show up tonight,"'], "said", ["he"])],
    ),
    # Political coverage: two reports in one sentence, each with its own cue.
    (
        'The premier insisted the pipeline would be built, adding that Alberta would "not be bullied" by Ottawa.',
        [
            ("indirect", ["the pipeline would be built"], "insisted", ["The premier"]),
            ("mixed", ['that Alberta would "not be bullied" by Ottawa'], "adding", ["The premier"]),
        ],
    ),
    (
        'The opposition leader called the budget "a betrayal of working families" and vowed to vote against it.',
        [
            ("mixed", ['the budget "a betrayal of working families"'], "called", ["The opposition leader"]),
            ("indirect", ["to vote against it"], "vowed", ["The opposition leader"]),
        ],
    ),
    (
        "Critics say the bill, which passed second reading on Thursday, gives police sweeping new powers.",
        [
            (
                "indirect",
                ["the bill, which passed second reading on Thursday, gives police sweeping new powers"],
                "say",
                ["Critics"],
            )
        ],
    ),
    (
        "The federal government will not back down on the carbon tax, Trudeau told reporters in Ottawa.",
        [("indirect", ["The federal government will not back down on the carbon tax"], "told", ["Trudeau"])],
    ),
    (
        '"It was terrifying," said Marie Tremblay through a translator, recalling the night the river rose.',
        [("direct", ['"It was terrifying,"'], "said", ["Marie Tremblay"])],
    ),
    (
        '"Look, I understand people are frustrated," Ford said Thursday. "But we are doing everything we can."',
        [
            (
                "direct",
                ['"Look, I understand people are frustrated,"', '"But we are doing everything we can."'],
                "said",
                ["Ford"],
            )
        ],
    ),
    (
        "Court documents allege the company knowingly sold contaminated beef to retailers in three provinces.",
        [
            (
                "indirect",
                ["the company knowingly sold contaminated beef to retailers in three provinces"],
                "allege",
                ["Court documents"],
            )
        ],
    ),
    # Opinion pages.
    (
        "As my colleague noted last week, the numbers simply do not add up.",
        [("indirect", ["the numbers simply do not add up"], "noted", ["my colleague"])],
    ),
    (
        "Critics have long argued that the league's salary cap punishes well-run teams.",
        [("indirect", ["that the league's salary cap punishes well-run teams"], "argued", ["Critics"])],
    ),
    # Sports.
    (
        "\"He's the best pure passer I've seen,\" Raptors coach Nick Nurse said of the rookie. "
        '"He sees things nobody else does."',
        [
            (
                "direct",
                ["\"He's the best pure passer I've seen,\"", '"He sees things nobody else does."'],
                "said",
                ["Raptors coach Nick Nurse"],
            )
        ],
    ),
    (
        'The striker, who scored twice, insisted afterwards: "It\'s a team effort. Every goal belongs to all of us."',
        [("direct", ['"It\'s a team effort. Every goal belongs to all of us."'], "insisted", ["The striker"])],
    ),
    (
        '"We\'re going to the Cup final!" screamed the play-by-play announcer as the horn sounded.',
        [("direct", ['"We\'re going to the Cup final!"'], "screamed", ["the play-by-play announcer"])],
    ),
    (
        "Nobody, the coach said, had expected the team to reach the playoffs.",
        [("indirect", ["Nobody", "had expected the team to reach the playoffs"], "said", ["the coach"])],
    ),
    # US papers.
    (
        "Smith and Jones said they would appeal the ruling.",
        [("indirect", ["they would appeal the ruling"], "said", ["Smith", "Jones"])],
    ),
    (
        "The White House press secretary, Karine Jean-Pierre, told reporters that the administration was "
        '"monitoring the situation closely."',
        [
            (
                "mixed",
                ['that the administration was "monitoring the situation closely."'],
                "told",
                ["The White House press secretary, Karine Jean-Pierre"],
            )
        ],
    ),
    (
        "According to the complaint, filed in federal court in Manhattan, the bank ignored repeated warnings.",
        [("indirect", ["the bank ignored repeated warnings"], "According", ["the complaint"])],
    ),
    (
        "Neither campaign responded to requests for comment on Sunday.",
        [],
    ),
    # Idioms of quoting.
    (
        "The minister was quoted as saying that the strike would be over by Christmas.",
        [("indirect", ["that the strike would be over by Christmas"], "saying", ["The minister"])],
    ),
    (
        'As one resident put it, "We are tired of being ignored."',
        [("direct", ['"We are tired of being ignored."'], "put", ["one resident"])],
    ),
    (
        "As the mayor put it on Monday, the city cannot afford another winter like the last one.",
        [("indirect", ["the city cannot afford another winter like the last one"], "put", ["the mayor"])],
    ),
    (
        "The minister put the plan that his staff had drafted on hold.",
        [],
    ),
    (
        'Speaking to the BBC, the foreign secretary said the talks had been "constructive".',
        [("mixed", ['the talks had been "constructive"'], "said", ["the foreign secretary"])],
    ),
    (
        "It was reported that the chairman had resigned before the meeting.",
        [],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_quotes_in_the_styles_of_news(nlp: Language, text: str, expected: list) -> None:
    assert found(nlp, text) == expected


def test_a_question_put_to_the_speaker_is_not_their_report(nlp: Language) -> None:
    # "Asked whether ..." reports what was put to the chief executive, by someone unnamed.
    text = 'Asked whether he would resign, the chief executive replied: "Absolutely not. I have a job to finish."'
    assert found(nlp, text) == [
        ("direct", ['"Absolutely not. I have a job to finish."'], "replied", ["the chief executive"])
    ]


def test_a_question_the_tagger_reads_as_a_past_tense_is_not_their_report(nlp: Language) -> None:
    # In this article the tagger calls "Asked" a past tense (VBD), not a participle.
    text = (
        "Prime Minister Justin Trudeau on Thursday defended his government's handling of the file.\n\n"
        '"We\'ve been very clear from the beginning," he told reporters in Montreal. "We will always stand up '
        'for Canadian workers, and we will always stand up for Canadian jobs."\n\n'
        'Asked whether he would meet with the union leaders, Trudeau said he was "open to any conversation."'
    )
    assert [(kind, content) for kind, content, _, _ in found(nlp, text)] == [
        (
            "direct",
            [
                '"We\'ve been very clear from the beginning,"',
                '"We will always stand up for Canadian workers, and we will always stand up for Canadian jobs."',
            ],
        ),
        ("mixed", ['he was "open to any conversation."']),
    ]


def test_a_question_put_with_when_is_not_their_report_either(nlp: Language) -> None:
    # "When asked why, ..." parsed as the root of the sentence.
    text = 'When asked why, Jenkins responded in a text message: "The premier will win the leadership."'
    assert found(nlp, text) == [("direct", ['"The premier will win the leadership."'], "responded", ["Jenkins"])]


def test_a_question_after_a_report_is_not_joined_to_it(nlp: Language) -> None:
    # The interviewer's question after the coach's report: not the coach's words.
    text = 'The coach said his team had lost its way in March. "Can they turn it around?"'
    assert found(nlp, text) == [("indirect", ["his team had lost its way in March"], "said", ["The coach"])]


@pytest.mark.parametrize(
    ("text", "quotation", "cue", "speaker"),
    [
        ('Asked if he would run again, the mayor replied: "No."', '"No."', "replied", "the mayor"),
        ('The anchor, who was off camera, then asked, "Really?"', '"Really?"', "asked", "The anchor"),
    ],
)
def test_a_one_word_quotation_right_after_its_cue(
    nlp: Language, text: str, quotation: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("direct", [quotation], cue, [speaker])]


def test_speaking_of_a_quoted_phrase(nlp: Language) -> None:
    text = 'At the unveiling, the chief executive spoke of "a new era for the company and its workers."'
    assert found(nlp, text) == [
        ("mixed", ['of "a new era for the company and its workers."'], "spoke", ["the chief executive"])
    ]


def test_a_programme_named_in_the_cues_circumstances_is_no_quote(nlp: Language) -> None:
    text = (
        '"I think Kasich would be the best nominee, but he does not have a chance," Graham said on '
        'MSNBC\'s "Morning Joe," adding that the race was over.'
    )
    assert found(nlp, text) == [
        (
            "direct",
            ['"I think Kasich would be the best nominee, but he does not have a chance,"'],
            "said",
            ["Graham"],
        ),
        ("indirect", ["that the race was over"], "adding", ["Graham"]),
    ]
    text = 'Asked about the deal, the premier said in an interview with "Power and Politics" that talks would resume.'
    assert found(nlp, text) == [("indirect", ["that talks would resume"], "said", ["the premier"])]


def test_a_nickname_in_the_cues_object_is_the_speakers_words(nlp: Language) -> None:
    text = 'The columnist called the senator "Little Marco" in his weekly piece.'
    assert found(nlp, text) == [
        ("mixed", ['the senator "Little Marco" in his weekly piece'], "called", ["The columnist"])
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The company is said to be considering a sale of its Canadian unit.",
        'So-called "experts" have been wrong about this market for years.',
        'The film "No Country for Old Men" won four Oscars.',
        "Everything she said turned out to be true.",
        "The report, which runs to 400 pages, will be tabled next week.",
        "Voters in the riding have been told to expect long lines.",
    ],
)
def test_no_quote_where_nobody_is_quoted(nlp: Language, text: str) -> None:
    assert found(nlp, text) == []
