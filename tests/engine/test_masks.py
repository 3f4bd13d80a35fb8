from bertmask_gui.engine.masks import Span, find_masks, plan_windows


def test_finds_mask_in_any_case_and_spacing():
    text = "a [MASK] b [mask] c [ Mask ] d"
    assert find_masks(text) == [Span(2, 8), Span(11, 17), Span(20, 28)]


def test_finds_model_mask_token_too():
    assert find_masks("a <mask> b [MASK]", "<mask>") == [Span(2, 8), Span(11, 17)]
    assert find_masks("a <mask> b") == []


def test_mask_glued_inside_word():
    assert find_masks("un[MASK]able") == [Span(2, 8)]


def test_no_mask():
    assert find_masks("nothing to see") == []
    assert find_masks("") == []


def test_short_text_is_one_window():
    text = "I really [MASK] it."
    spans = find_masks(text)
    (window,) = plan_windows(text, spans, max_chars=1000)
    assert (window.start, window.end, window.masks) == (0, len(text), (0,))


def test_windows_cover_each_mask_within_budget():
    text = "One sentence here. " * 500 + "[MASK] in the middle. " + "Another one. " * 500 + "[MASK]"
    spans = find_masks(text)
    windows = plan_windows(text, spans, max_chars=800)
    assert sorted(m for w in windows for m in w.masks) == [0, 1]
    for window in windows:
        assert window.end - window.start <= 800
        for m in window.masks:
            assert window.start <= spans[m].start and spans[m].end <= window.end


def test_windows_prefer_sentence_starts():
    text = "Alpha beta gamma. " * 200 + "I really [MASK] it. " + "Delta epsilon. " * 200
    spans = find_masks(text)
    (window,) = plan_windows(text, spans, max_chars=400)
    assert text[window.start :].startswith("Alpha") or text[window.start :].startswith("I really")
    assert text[window.end - 1] == "."


def test_close_masks_share_a_window():
    text = "x " * 2000 + "[MASK] and [MASK]" + " y" * 2000
    windows = plan_windows(text, find_masks(text), max_chars=600)
    assert [w.masks for w in windows] == [(0, 1)]
