"""One test (or a few) per cleaning rule, on the rule alone: seed lines and other outlets' styles."""

from __future__ import annotations

import pytest
from news_digest.clean import (
    PASSES,
    captions,
    cards,
    chrome,
    clean_text,
    credits,
    position,
    sections,
    split_lines,
    title,
)
from news_digest.clean.base import Doc, is_headline_like, is_truncated, strip_pipes
from news_digest.clean.header import parse_header
from news_digest.clean.vocab import build_vocab
from news_digest.model import LineLabel as L
from news_digest.rules import DataFileError, load_rules

PARA = "Hai bên đã thảo luận về hợp tác quốc phòng và các biện pháp tăng cường liên minh trong khu vực."
PARA2 = "Phía Mỹ nhắc lại cam kết gia tăng các nguồn lực chiến lược ở khu vực trong thời gian tới."


def run(rules, text: str, *steps):
    doc = Doc(lines=split_lines(text), vocab=build_vocab(rules))
    chrome.label_blank_lines(doc)
    for step in steps:
        step(doc)
    return doc.lines


def rule_of(lines, n):
    return lines[n - 1].rule


def labels(lines):
    return {ln.n: ln.label for ln in lines if ln.rule}


# -- helpers ---------------------------------------------------------------------------
def test_line_shapes():
    assert strip_pipes("TIN LIÊN QUAN | |") == "TIN LIÊN QUAN"
    assert is_headline_like("Tổng thống Hàn Quốc với biệt tài 'ngoại giao thượng đỉnh'")
    assert is_headline_like("Không muốn tự 'chuốc lấy thất bại', hai chủ nợ lớn đang hy vọng?")
    assert not is_headline_like(PARA)
    assert is_truncated("Hàn Quốc, Nhật Bản cùng Mỹ đã đưa ra phản ứng trong ngày ...")
    assert not is_truncated("hợp tác song phương trong lĩnh vực bán dẫn và trí tuệ nhân tạo…")


# -- chrome ----------------------------------------------------------------------------
def test_label_blank_lines_and_pipe_only_lines(rules):
    lines = run(rules, "a\n\n| |\n")
    assert lines[1].label is L.BLANK and rule_of(lines, 3) == "table_pipes"


@pytest.mark.parametrize(
    "line",
    [
        "Phiên bản di động",
        "Chia sẻ bài viết",
        "Tags: Mỹ, Nhật Bản",
        "Bình luận (12)",
        "© Bản quyền thuộc về báo",
    ],
)
def test_drop_page_chrome(rules, line):
    assert rule_of(run(rules, line, chrome.drop_page_chrome), 1) == "page_chrome"


@pytest.mark.parametrize(
    "line",
    [
        "Theo dõi Baoquocte.vn trên",
        "Mời quý độc giả theo dõi VOV.VN trên",
        "Theo dõi Dân trí trên Google News",
        "Mời bạn đọc theo dõi QĐND trên Facebook",
    ],
)
def test_drop_follow_lines(rules, line):
    assert rule_of(run(rules, line, chrome.drop_follow_lines), 1) == "drop_follow_lines"


def test_follow_rule_keeps_body_starting_with_theo_doi(rules):
    line = "Theo dõi sát tình hình trên thực địa, giới phân tích cho rằng hai bên còn bất đồng."
    assert rule_of(run(rules, line, chrome.drop_follow_lines), 1) is None


def test_drop_lone_bullets(rules):
    lines = run(rules, "-\n•\n- Bài viết", chrome.drop_lone_bullets)
    assert [ln.rule for ln in lines] == ["drop_lone_bullets", "drop_lone_bullets", None]


@pytest.mark.parametrize(
    "line",
    [
        "Xem thêm: Nhật Bản tăng ngân sách quốc phòng",
        ">> Triều Tiên phóng tên lửa",
        "Đọc thêm: Giá vàng hôm nay",
    ],
)
def test_drop_inline_related_links(rules, line):
    assert rule_of(run(rules, line, chrome.drop_inline_related_links), 1) == "drop_inline_related_links"


@pytest.mark.parametrize(
    "line,dropped",
    [
        ("Thứ Hai, 12/06/2023 17:24 (GMT+7)", True),
        ("12/06/2023 17:24 GMT+7", True),
        ("2 giờ trước", True),
        ("Cập nhật lúc 08:30, 19/06/2023", True),
        ("Ngày 1/6, Bộ trưởng Austin tới Tokyo.", False),
    ],
)
def test_drop_date_stamp_lines(rules, line, dropped):
    assert (rule_of(run(rules, line, chrome.drop_date_stamp_lines), 1) is not None) is dropped


def test_drop_repeated_lines_keeps_first_caption_copy(rules):
    cap = "Thủ tướng Kishida tới căn cứ Andrews ngày 8/4. (Ảnh: AFP/TTXVN)"
    lines = run(rules, f"{PARA}\n{cap}\n{cap}\n{PARA2}", chrome.drop_repeated_lines)
    assert [ln.rule for ln in lines] == [None, None, "repeated_caption", None]


def test_drop_repeated_lines_names_a_title_echo(rules):
    lines = run(
        rules,
        f"Mỹ và Nhật Bản tổ chức đối thoại\nMỹ và Nhật Bản tổ chức đối thoại\n{PARA}",
        chrome.drop_repeated_lines,
    )
    assert rule_of(lines, 2) == "repeated_title" and rule_of(lines, 1) is None


# -- credits ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "Theo vtv.vn",
        "(TTXVN/Vietnam+)",
        "(theo Kyodo, AFP)",
        "Như Tâm (theo Reuters)",
        "Theo báo Thanh Niên",
        "Nguồn: VTV",
        "(Tổng hợp)",
    ],
)
def test_label_credits(rules, line):
    lines = run(rules, line, credits.label_credits)
    assert lines[0].label is L.CREDIT


@pytest.mark.parametrize(
    "line",
    [
        "Theo ông, các lực lượng Mỹ và Nhật Bản đang trở nên linh hoạt hơn.",
        "Theo kế hoạch, ông Kishida sẽ phát biểu trước Quốc hội Mỹ vào ngày 11/4./.",
        "Theo Tổng thống Mỹ Joe Biden, quân đội hai nước sẽ hợp tác theo cơ cấu chỉ huy chung.",
        "Theo truyền thông quốc tế",
    ],
)
def test_body_starting_with_theo_is_not_a_credit(rules, line):
    assert run(rules, line, credits.label_credits)[0].rule is None


# -- captions --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "Bộ trưởng Austin duyệt đội danh dự tại Tokyo, ngày 1/6. (Nguồn: Reuters)",
        "Ông Austin (trái) và ông Hamada tại Tokyo ngày 1/6. Ảnh: Reuters",
        "Đại sứ Nhật Bản tại Mỹ Kenichiro Sasae. (Nguồn: Japan Daily Press) |",
        "Ảnh: Yonhap",
    ],
)
def test_label_photo_captions(rules, line):
    assert run(rules, line, captions.label_photo_captions)[0].label is L.CAPTION


# -- cards -----------------------------------------------------------------------------
def test_drop_flattened_cards(rules):
    line = "Donald Trump đắc cử có đe dọa liên minh Mỹ-Nhật? Chiến thắng của ông Trump có thể đe dọa liên minh ... |"
    assert rule_of(run(rules, line, cards.drop_flattened_cards), 1) == "drop_flattened_cards"


@pytest.mark.parametrize(
    "line,dropped",
    [
        ("- Bão NORU bắt đầu vào Philippines 25.09.2022 | 20:44 PM", True),
        ("Triều Tiên tuyên bố phóng vệ tinh thành công 12-06-2023 08:15", True),
        ("Thủ tướng Anh thăm Mỹ, bàn về trí tuệ nhân tạo 3 giờ trước", True),
        ("Hội nghị diễn ra tại Hà Nội ngày 12/6/2023.", False),
    ],
)
def test_drop_timestamped_headlines(rules, line, dropped):
    lines = run(rules, f"{PARA}\n{line}", cards.drop_timestamped_headlines)
    assert (rule_of(lines, 2) == "drop_timestamped_headlines") is dropped


def test_strip_related_cards_pair_then_teaser(rules):
    head = "Tổng thống Hàn Quốc với biệt tài 'ngoại giao thượng đỉnh'"
    teaser = "Sau một năm cầm quyền, Tổng thống Yoon Suk Yeol giành được những đánh giá tích cực ..."
    text = f"{PARA}\n\n{head}\n\n{head}\n\n{teaser}\n\n(theo Kyodo, AFP)"
    lines = run(rules, text, credits.label_credits, cards.strip_related_cards)
    assert [rule_of(lines, n) for n in (3, 5, 7)] == [
        "strip_related_cards",
        "strip_related_cards",
        "related_card_teaser",
    ]
    assert lines[8].label is L.CREDIT


def test_strip_related_cards_ignores_a_title_echo_and_captions(rules):
    head = "Mỹ và Nhật Bản tổ chức đối thoại răn đe mở rộng"
    cap = "Thủ tướng Kishida tại Nhà Trắng. (Ảnh: AFP)"
    lines = run(rules, f"{head}\n{head}\n{PARA}\n{cap}\n{cap}\n{PARA2}", cards.strip_related_cards)
    assert all(ln.rule is None for ln in lines)


def test_drop_dateline_teasers_keeps_the_lead(rules):
    lead = "VOV.VN - Mỹ và Nhật Bản đã tổ chức Đối thoại răn đe mở rộng tại Missouri trong hai ngày."
    teaser = "VOV.VN - Ngoại trưởng Mỹ Antony Blinken ngày 17/04 đã có cuộc gặp với Ngoại trưởng Nhật Bản."
    other = "TPO - Một tàu khu trục của Hải quân Mỹ đã đi qua eo biển Đài Loan hôm 2/6."
    text = f"Tiêu đề bài báo về Mỹ\n{lead}\n{PARA}\n{teaser}\n{PARA2}\n{other}"
    lines = run(rules, text, cards.drop_dateline_teasers)
    assert [ln.rule for ln in lines] == [None, None, None, "drop_dateline_teasers", None, None]


def test_strip_headline_teaser_cards(rules):
    head = "Triều Tiên phóng vệ tinh không gian: Hàn Quốc theo dõi sát, Nhật Bản quan ngại"
    teaser = "Hàn Quốc, Nhật Bản cùng Mỹ đã đưa ra phản ứng trước và sau khi Triều Tiên phóng vệ tinh trong ngày ..."
    lines = run(rules, f"Tiêu đề\n{PARA}\n{head}\n{teaser}\n{PARA2}", cards.strip_headline_teaser_cards)
    assert [ln.rule for ln in lines] == [
        None,
        None,
        "strip_headline_teaser_cards",
        "strip_headline_teaser_cards",
        None,
    ]


def test_drop_glued_category_links(rules):
    line = "Nhật Bản - NATO Nhật Bản - NATO 'xích lại gần nhau': Không chỉ là phản ứng nhất thời"
    assert rule_of(run(rules, line, cards.drop_glued_category_links), 1) == "drop_glued_category_links"


# -- sections --------------------------------------------------------------------------
def test_inline_block_drops_only_its_links(rules):
    text = f"{PARA}\nTin liên quan\nNhật Bản - NATO xích lại gần nhau\n{PARA2}"
    lines = run(rules, text, sections.drop_section_headers)
    assert [ln.rule for ln in lines] == [None, "drop_section_headers", "related_block_headline", None]


def test_block_with_card_teasers(rules):
    text = (
        f"{PARA}\nBài viết liên quan\nMỹ cân nhắc nới lỏng hạn chế xuất khẩu chip sang châu Á\n"
        "Bộ Thương mại Mỹ đang xem xét lại một số quy định.\nNhật Bản muốn mua tên lửa Tomahawk của Mỹ\n"
    )
    lines = run(rules, text, sections.drop_section_headers)
    assert [ln.rule for ln in lines][1:] == [
        "drop_section_headers",
        "related_block_headline",
        "related_block_teaser",
        "related_block_headline",
    ]


def test_ending_header_drops_the_rest(rules):
    text = f"{PARA}\n{PARA2}\nTIN CÙNG CHUYÊN MỤC:\n- Bão NORU vào Philippines\nMột đoạn dài bất kỳ kết thúc bằng dấu chấm, nhưng ở sau tiêu đề kết thúc."
    lines = run(rules, text, sections.drop_section_headers)
    assert [ln.rule for ln in lines][2:] == [
        "drop_section_headers",
        "after_end_of_article",
        "after_end_of_article",
    ]


def test_ending_header_before_any_text_only_opens_a_block(rules):
    text = f"Tin mới nhất\nGiá vàng hôm nay tăng mạnh\n{PARA}\n{PARA2}"
    lines = run(rules, text, sections.drop_section_headers)
    assert [ln.rule for ln in lines] == ["drop_section_headers", "related_block_headline", None, None]


# -- title, byline, lead caption, navigation --------------------------------------------
def test_find_headline_and_byline(rules):
    text = (
        f"Khẳng định tình đồng minh bền chặt, Mỹ-Nhật Bản thực hiện các bước quan trọng\n\nBảo Minh\n{PARA}"
    )
    lines = run(rules, text, title.find_headline, title.find_byline)
    assert lines[0].label is L.TITLE and lines[2].label is L.BYLINE and lines[3].rule is None


def test_no_headline_when_the_dump_starts_mid_article(rules):
    text = f"Phát biểu tại một sự kiện, Đại sứ Sasae nói: “Họ đã nhất trí về tầm quan trọng của liên minh”.\n{PARA}"
    lines = run(rules, text, title.find_headline)
    assert all(ln.label is not L.TITLE for ln in lines)


def test_drop_navigation_above_the_headline(rules):
    text = f"Thế giới\nThời sự > Quốc tế\nMỹ và Nhật Bản tổ chức Đối thoại răn đe mở rộng\n{PARA}"
    lines = run(rules, text, title.drop_navigation, title.find_headline)
    assert [ln.rule for ln in lines] == ["drop_navigation", "drop_navigation", "find_headline", None]


def test_label_lead_caption(rules):
    text = f"Liên minh Mỹ - Nhật Bản tăng cường hợp tác\nThủ tướng Kishida phát biểu trong chuyến thăm Mỹ.\n{PARA} {PARA2}"
    lines = run(rules, text, title.find_headline, title.label_lead_caption)
    assert lines[1].label is L.CAPTION


# -- position --------------------------------------------------------------------------
def test_drop_tail_headlines_keeps_closing_byline(rules):
    text = f"Tiêu đề của bài báo này\n{PARA}\n{PARA2}\nNGỌC AN\nGiá vàng hôm nay tăng mạnh\nThời tiết cuối tuần có mưa dông"
    lines = run(rules, text, title.find_headline, position.drop_tail_headlines)
    assert [ln.rule for ln in lines][3:] == ["closing_byline", "drop_tail_headlines", "drop_tail_headlines"]


def test_drop_tail_headlines_keeps_a_closing_question(rules):
    text = f"Tiêu đề\n{PARA}\nLiệu các cam kết này có được thực hiện trong thời gian tới hay không?"
    lines = run(rules, text, position.drop_tail_headlines)
    assert lines[2].rule is None


def test_drop_after_closing_credit(rules):
    text = (
        f"{PARA}\n{PARA2}\nTheo vtv.vn\nMinh Anh\nTrung Quốc và Mỹ nhất trí ổn định quan hệ\n"
        "Hai nước đã có cuộc hội đàm kéo dài hơn năm giờ tại Bắc Kinh."
    )
    lines = run(rules, text, credits.label_credits, position.drop_after_closing_credit)
    assert [ln.rule for ln in lines][2:] == [
        "label_credits",
        "closing_byline",
        "drop_after_closing_credit",
        "drop_after_closing_credit",
    ]


def test_label_body_decides_the_rest(rules):
    lines = run(rules, PARA, position.label_body)
    assert lines[0].label is L.BODY and lines[0].rule == "body_default"


# -- header, pipeline of passes, data validation -----------------------------------------
def test_parse_header_needs_a_blank_line():
    lines = split_lines("Title: Tiêu đề\nDate: 2023-06-01\n\nVăn bản")
    assert parse_header(lines) == {"title": "Tiêu đề", "date": "2023-06-01"}
    assert parse_header(split_lines("Title: Tiêu đề\nVăn bản")) == {}


def test_every_pass_is_documented_with_an_example():
    for step in PASSES:
        assert step.__doc__ and len(step.__doc__) > 30, step.__name__


def test_every_line_is_decided(rules):
    lines, _ = clean_text(f"Tiêu đề bài báo\n\n{PARA}\n| |\n-\n", rules)
    assert all(ln.rule for ln in lines)


def test_bad_outlet_entry_names_file_and_entry(tmp_path):
    base = load_rules().data_dir
    for p in base.glob("*.yaml"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    bp = tmp_path / "boilerplate.yaml"
    bp.write_text(
        bp.read_text(encoding="utf-8") + "  - id: broken\n    datelines: ['(unclosed']\n", encoding="utf-8"
    )
    with pytest.raises(
        DataFileError, match=r"boilerplate.yaml \[outlets\[\d+\] \(broken\)\.datelines\[0\]\]"
    ):
        build_vocab(load_rules(tmp_path))


def test_ending_header_followed_by_paragraphs_does_not_end_the_article(rules):
    text = f"{PARA}\nGửi bình luận\n{PARA2}\n{PARA} Đoạn thứ ba.\nTin cùng chuyên mục\nGiá vàng hôm nay tăng mạnh"
    lines = run(rules, text, sections.drop_section_headers)
    assert [ln.rule for ln in lines] == [
        None,
        "drop_section_headers",
        None,
        None,
        "drop_section_headers",
        "after_end_of_article",
    ]


def test_a_credit_mid_article_closes_nothing(rules):
    text = f"{PARA}\n{PARA2}\nNguồn: Reuters\n{PARA} Tiếp theo.\n{PARA2} Hết.\n(TTXVN)\nGiá vàng hôm nay tăng mạnh"
    lines = run(rules, text, credits.label_credits, position.drop_after_closing_credit)
    assert [ln.rule for ln in lines][3:] == [None, None, "label_credits", "drop_after_closing_credit"]


@pytest.mark.parametrize(
    "line", ["Thứ Năm, 01/06/2023, 15:30 [GMT+7]", "15:30 | 01/06/2023", "Đăng ngày 01/06/2023"]
)
def test_more_date_stamps(rules, line):
    assert rule_of(run(rules, line, chrome.drop_date_stamp_lines), 1) == "drop_date_stamp_lines"


@pytest.mark.parametrize(
    "line,ends",
    [
        ("Nội dung liên quan", False),
        ("BÀI VIẾT ĐÁNG CHÚ Ý", False),
        ("Có thể bạn quan tâm", False),
        ("Các bài khác:", True),
        ("Tin cùng danh mục", True),
        ("Bắt giữ 3 đối tượng liên quan", None),
        ("Mỹ và Nhật Bản tổ chức Đối thoại răn đe mở rộng", None),
    ],
)
def test_section_header_patterns(rules, line, ends):
    assert build_vocab(rules).header_ends(line) is ends


def test_drop_pipe_link_rows(rules):
    text = (
        f"Bộ Quốc phòng Nhật Bản bị tấn công mạng | |\nNhật Bản: Nga triển khai tên lửa |\n{PARA}\n"
        "Đại sứ Nhật Bản tại Mỹ Kenichiro Sasae. (Nguồn: Japan Daily Press) |"
    )
    lines = run(rules, text, cards.drop_pipe_link_rows)
    assert [ln.rule for ln in lines] == ["drop_pipe_link_rows", "drop_pipe_link_rows", None, None]


def test_drop_orphan_headers(rules):
    link = "Nhật Bản - NATO Nhật Bản - NATO 'xích lại gần nhau': Không chỉ là phản ứng nhất thời"
    text = f"Tiêu đề của bài báo\n{PARA}\nMời xem\n{link}\n{PARA2}"
    lines = run(rules, text, cards.drop_glued_category_links, sections.drop_orphan_headers)
    assert [ln.rule for ln in lines] == [None, None, "drop_orphan_headers", "drop_glued_category_links", None]


@pytest.mark.parametrize(
    "line,stamp",
    [("01-06-2023 - 14:00 | Thế giới", True), ("Ông A nói 14:00 là giờ hẹn của hai bên", False)],
)
def test_stamp_with_a_section_name(line, stamp):
    assert chrome.is_date_stamp(line) is stamp


@pytest.mark.parametrize(
    "text",
    ["", "\n\n\n", "x" * 200_000, "| | |\n|\n", "TIN LIÊN QUAN\r\nMột dòng\r\n", "\ufeffTiêu đề\n\n- \n—\n…"],
)
def test_malformed_text_never_breaks_the_cleaner(rules, text):
    lines, _ = clean_text(text, rules)
    assert len(lines) == len(text.splitlines())
    assert all(ln.rule for ln in lines)


def test_a_long_dump_of_repeated_blocks(rules):
    """Eight thousand lines: every block's link goes, every paragraph and credit stays."""
    text = "".join(f"Tin liên quan\nTiêu đề liên quan số {k}\n{PARA} Đoạn {k}.\n(AFP)\n" for k in range(2000))
    lines, _ = clean_text(text, rules)
    assert len(lines) == 8000
    assert [ln.kept for ln in lines[:4]] == [False, False, True, True]
    assert sum(ln.kept for ln in lines) == 4000


@pytest.mark.parametrize(
    "line", ["https://vnexpress.net/my-nhat-4612345.html", "toasoan@baoquocte.vn", "#MỹNhật #QuânSự"]
)
def test_links_addresses_and_hashtags_are_chrome(rules, line):
    assert rule_of(run(rules, line, chrome.drop_page_chrome), 1) == "page_chrome"


def test_writer_ellipsis_after_an_intertitle_is_not_a_card(rules):
    text = f"Tiêu đề\n{PARA}\nMặt hàng xuất khẩu\nCác mặt hàng chủ lực gồm gạo, cà phê, hồ tiêu, thủy sản v.v...\n{PARA2}"
    lines = run(rules, text, cards.strip_headline_teaser_cards)
    assert all(ln.rule is None for ln in lines)


def test_drop_tail_headlines_takes_unheaded_cards_but_not_a_last_section(rules):
    h1 = "Nhật Bản chuyển giao tàu tuần tra cho Philippines theo chương trình hỗ trợ mới"
    h2 = "Malaysia cân nhắc mua máy bay tuần tra biển của Nhật Bản để tăng cường giám sát"
    text = (
        f"Tiêu đề của bài báo\n{PARA}\nHợp tác hàng hải\n{PARA2}\n"
        f"{h1}\nTokyo đã bàn giao chiếc tàu đầu tiên.\n{h2}\nKuala Lumpur đang đánh giá đề xuất."
    )
    lines = run(rules, text, title.find_headline, position.drop_tail_headlines)
    assert [ln.kept or ln.rule is None for ln in lines] == [True] * 4 + [False] * 4


def test_drop_pipe_link_rows_single_two_cell_row(rules):
    text = f"Tiêu đề trong bảng | |\n{PARA}\nBộ Quốc phòng Nhật Bản bị tấn công mạng | |\n{PARA2}"
    lines = run(rules, text, cards.drop_pipe_link_rows)
    assert [ln.rule for ln in lines] == [None, None, "drop_pipe_link_rows", None]


def test_a_doubled_caption_without_credit_is_not_a_card(rules):
    cap = "Thủ tướng Kishida phát biểu tại Nhà Trắng"
    lines, _ = clean_text(f"Tiêu đề của bài báo này\n{PARA}\n{cap}\n{cap}\n{PARA2}\n{PARA} Hết.", rules)
    assert [ln.kept for ln in lines] == [True, True, True, False, True, True]
    assert lines[3].rule == "repeated_line"


def test_a_caption_ending_in_the_photo_date_stays(rules):
    lines = run(
        rules,
        f"{PARA}\nÔng Austin tại Bộ Quốc phòng Nhật Bản ngày 01/06/2023\n{PARA2}",
        cards.drop_timestamped_headlines,
    )
    assert all(ln.rule is None for ln in lines)


def test_a_list_of_dated_headlines_goes(rules):
    text = f"{PARA}\nGiá vàng hôm nay tăng mạnh 12/06/2023\nThời tiết cuối tuần có mưa dông 11/06/2023"
    lines = run(rules, text, cards.drop_timestamped_headlines)
    assert [ln.rule for ln in lines] == [None, "drop_timestamped_headlines", "drop_timestamped_headlines"]
