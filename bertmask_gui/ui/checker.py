"""The draft checker in the window: the word that is wrong, underlined, with its fix.

- **As you type** (Tools ▸ Check as you type, on by default): after a typing pause the
  paragraph at the cursor is checked in the worker (``Predictor.check``); a keystroke
  abandons it (the worker's ``cancel_explore``, as for the unusual words).
- **Tools ▸ Check the whole document** (F7): paragraph after paragraph, with a progress
  dialog and Cancel; typing stops it (its offsets would no longer hold).
- A flagged word gets the red wavy underline; its tooltip names the fix. A click opens a
  menu with the fixes (the first on top: 1 or Alt+1), *Ignore* and *Add to dictionary*,
  and shows the fixes in the suggestions list, where a click or Alt+1 puts the first
  in place: one undo step (``WordCycler.fill``, as any fill).
- The status bar counts the flagged words ("2 words to check", ui.check_count); a click
  on it, or Tools ▸ Next word to check (F8), goes to the next one after the cursor (from
  the top after the last), selects it and shows its fixes as a click on it does.
- *Ignore* lasts for this session; *Add to dictionary* is remembered
  (lexicon.user_dictionary) and editable in Preferences (ui.dictionary_dialog). Either
  way the suggestions list stops offering the word's fixes (Alt+1 then puts nothing in).
- One fix menu serves every flag: it is emptied and refilled each time it opens.
- The "unusual" words are not errors: ui.explore marks them with a quieter dotted
  underline, off by default (View ▸ Highlight unusual words).

Flags are kept as QTextCursors, so they follow edits elsewhere in the text; a flag whose
word was edited is dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QProgressDialog, QTextEdit

from bertmask_gui.engine.options import CheckOptions
from bertmask_gui.engine.results import Candidate, FlagKind, MaskResult, Mode, Prediction
from bertmask_gui.ui.check_count import NOTHING_TO_CHECK, CheckCount
from bertmask_gui.ui.editor import qt_position
from bertmask_gui.ui.menus import add_action
from bertmask_gui.ui.settings import Key
from bertmask_gui.ui.worker import ExploreRequest
from bertmask_gui.ui.writer import python_index

ERROR = QColor(220, 40, 40)
FIX_LABEL = "the model's probability of the fix in this place"
NEXT_SHORTCUT = "F8"  # F7 checks the document; F8 is free in the window (Shift+F3 is Find Previous)
KIND_WORDS = {FlagKind.SPELLING: "Not in the dictionary", FlagKind.CONFUSION: "Probably the wrong word"}


@dataclass
class Marked:
    """A flag on screen: the engine Flag and a cursor that follows the word through edits."""

    flag: object  # engine Flag
    cursor: QTextCursor


def tools_menu(window) -> QMenu:
    """The window's Tools menu (made before Help if no one made it yet)."""
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == "Tools":
            return action.menu()
    menu = QMenu("&Tools", window)
    window.menuBar().insertMenu(window.menus.help.menuAction(), menu)
    return menu


class CheckerView(QObject):
    """Error underlines, their fixes, and the whole-document check, for a MainWindow."""

    def __init__(self, window, writer):
        super().__init__(window)
        self.window, self.writer = window, writer
        self.editor, self.worker, self.session = window.editor, window.worker, window.session
        self.marked: list[Marked] = []
        self.ignored: set[str] = set()  # lower case, this session
        self.dictionary = None  # lexicon UserDictionary, read when first needed
        self.latest_id = 0
        self.holding = False  # the suggestions list shows a flag's fixes
        self.last_menu: QMenu | None = None  # the fix menu, made when first opened
        self.document_run: list[tuple[int, int]] | None = None  # paragraphs still to check
        self.document_text = ""
        self.progress: QProgressDialog | None = None
        self.pause = QTimer(self)
        self.pause.setSingleShot(True)
        self.pause.setInterval(window.session.debounce.interval())
        self.pause.timeout.connect(self.check_paragraph)
        menu = tools_menu(window)
        self.as_you_type = QAction("Check as you &type", window)
        self.as_you_type.setCheckable(True)
        self.as_you_type.setChecked(QSettings().value(Key.CHECK_AS_YOU_TYPE.value, True, type=bool))
        self.as_you_type.toggled.connect(self.set_as_you_type)
        menu.addAction(self.as_you_type)
        self.document_action = add_action(window, menu, "&Check the whole document", self.check_document, "F7")
        self.next_action = add_action(window, menu, "&Next word to check", self.next_flag, NEXT_SHORTCUT)
        self.count = CheckCount(window.statusBar(), self.next_flag, NEXT_SHORTCUT)
        self.editor.textChanged.connect(self._typed)
        self.editor.cursorPositionChanged.connect(self._moved)
        self.editor.viewport().installEventFilter(self)
        self.worker.explored.connect(self._on_checked)
        self.worker.explore_failed.connect(self._on_failed)
        self.worker.loaded.connect(self._model_loaded)

    def _model_loaded(self, _info) -> None:
        self.pause.start()  # check the paragraph at the cursor once a model answers

    # ----------------------------------------------------------- settings
    def set_as_you_type(self, on: bool) -> None:
        QSettings().setValue(Key.CHECK_AS_YOU_TYPE.value, bool(on))
        if on:
            self.check_paragraph()
        else:
            self.pause.stop()

    def options(self) -> CheckOptions:
        """The engine's measured defaults, with the writer's words and ignored words accepted."""
        return CheckOptions(accepted=frozenset(self.ignored | {w.lower() for w in self.writers_dictionary().words}))

    def writers_dictionary(self):
        from bertmask_gui.lexicon.user_dictionary import UserDictionary

        if self.dictionary is None:
            self.dictionary = UserDictionary()
        else:
            self.dictionary.reload()  # Preferences may have changed it
        return self.dictionary

    # ----------------------------------------------------------- requests
    def check_paragraph(self) -> None:
        """Check the paragraph at the cursor in the background."""
        if not (self.as_you_type.isChecked() and self.session.ready) or self.document_run is not None:
            return
        text = self.editor.toPlainText()
        start, end = self._paragraph(text)
        if start < end and any(c.isalpha() for c in text[start:end]):
            self.worker.request_explore(ExploreRequest(self._next_id(), "check", text, start, end, options=self.options()))

    def check_document(self) -> None:
        """Tools ▸ Check the whole document: every paragraph, with progress and Cancel."""
        if not self.session.ready:
            self.window.statusBar().showMessage("The model is still loading; check the document in a moment.", 5000)
            return
        text = self.editor.toPlainText()
        paragraphs = [(s, e) for s, e in _paragraphs(text) if any(c.isalpha() for c in text[s:e])]
        if not paragraphs:
            self.window.statusBar().showMessage("There are no words to check yet.", 5000)
            return
        self.document_run, self.document_text = paragraphs, text
        self.progress = QProgressDialog("Checking the document…", "Cancel", 0, len(paragraphs), self.window)
        self.progress.setObjectName("checkProgress")
        self.progress.setWindowTitle("Check the document")
        self.progress.setWindowModality(Qt.WindowModality.NonModal)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(self.cancel_document)
        self.progress.setValue(0)
        self._next_paragraph()

    def _next_paragraph(self) -> None:
        if not self.document_run:
            found = len(self.to_check())
            self.stop_document(f"Checked the document: {found} word{'' if found == 1 else 's'} to look at."
                               if found else "Checked the document: nothing to correct.")
            return
        start, end = self.document_run[0]
        request = ExploreRequest(self._next_id(), "check_document", self.document_text, start, end, options=self.options())
        self.worker.request_explore(request)

    def cancel_document(self) -> None:
        """The progress dialog's Cancel: abandon the paragraph being checked, keep what was found."""
        self.worker.cancel_explore()
        self.stop_document("The check was cancelled; the words found so far stay underlined.")

    def stop_document(self, sentence: str) -> None:
        if self.document_run is None:
            return
        self.document_run = None
        if self.progress is not None:
            progress, self.progress = self.progress, None
            progress.canceled.disconnect()
            progress.close()
            progress.deleteLater()
        self.window.statusBar().showMessage(sentence, 8000)

    def _next_id(self) -> int:
        self.latest_id += 1
        return self.latest_id

    # ------------------------------------------------------------ results
    def _on_checked(self, request, result) -> None:
        if request.kind not in ("check", "check_document") or request.text != self.editor.toPlainText():
            return  # another view's, or the text changed since: stale
        if request.kind == "check_document" and self.document_run is None:
            return  # cancelled meanwhile
        self._replace_flags(request.start, request.end, result.flags)
        if request.kind == "check_document" and self.document_run:
            self.document_run.pop(0)
            if self.progress is not None:
                self.progress.setValue(self.progress.maximum() - len(self.document_run))
            self._next_paragraph()

    def _on_failed(self, request, sentence: str) -> None:
        if request.kind == "check_document":
            self.stop_document(f"The check stopped: {sentence}")
        elif request.kind == "check":
            self.window.statusBar().showMessage(f"The draft check failed: {sentence}", 8000)

    def _replace_flags(self, start: int, end: int, flags) -> None:
        text = self.editor.toPlainText()
        lo, hi = qt_position(text, start), qt_position(text, end)
        self.marked = [m for m in self.marked if not (lo <= m.cursor.selectionStart() < hi)]
        for flag in flags:
            if flag.kind == FlagKind.UNUSUAL or flag.word.lower() in self.ignored:
                continue
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(qt_position(text, flag.start))
            cursor.setPosition(qt_position(text, flag.end), QTextCursor.MoveMode.KeepAnchor)
            self.marked.append(Marked(flag, cursor))
        self.marked.sort(key=lambda m: m.cursor.selectionStart())
        self._paint()

    @property
    def flags(self) -> list:
        """The flags on screen now (engine Flags; offsets as when they were found)."""
        return [m.flag for m in self.marked]

    def to_check(self) -> list[Marked]:
        """The flags that are errors (spelling, confusion), in text order: what the count says."""
        return [m for m in self.marked if m.flag.kind != FlagKind.UNUSUAL]

    def flag_span(self, marked: Marked) -> tuple[int, int]:
        """Where a flag's word is in the current text (Python indices)."""
        text = self.editor.toPlainText()
        return python_index(text, marked.cursor.selectionStart()), python_index(text, marked.cursor.selectionEnd())

    # ------------------------------------------------------------- painting
    def _paint(self) -> None:
        """The underlines and the status bar's count, after any change of the flags."""
        selections = []
        for m in self.marked:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
            fmt.setUnderlineColor(ERROR)
            fmt.setToolTip(tooltip(m.flag))
            selection = QTextEdit.ExtraSelection()
            selection.cursor, selection.format = QTextCursor(m.cursor), fmt
            selections.append(selection)
        self.editor.set_marks("checker", selections)
        self.count.show_count(len(self.to_check()))

    # --------------------------------------------------------------- editor
    def _typed(self) -> None:
        if self.document_run is not None and self.editor.toPlainText() != self.document_text:
            self.stop_document("The check stopped because the text changed; run it again when you are ready.")
        if self.holding and self.window.writer.cycler.slot is None:
            self.holding = False
            self.session.release()
        kept = [m for m in self.marked if m.cursor.selectedText() == m.flag.word]
        if len(kept) != len(self.marked):
            self.marked = kept
        self._paint()
        if self.as_you_type.isChecked():
            self.pause.start()

    def _moved(self) -> None:
        if self.as_you_type.isChecked() and not self.pause.isActive() and self.document_run is None:
            self.pause.start()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        """A click on a flagged word opens its fixes."""
        if event.type() == QEvent.Type.MouseButtonRelease and self.marked and event.button() == Qt.MouseButton.LeftButton:
            if self.editor.textCursor().hasSelection():
                return False
            at = self.editor.cursorForPosition(event.position().toPoint()).position()
            for m in self.marked:
                if m.cursor.selectionStart() <= at <= m.cursor.selectionEnd():
                    QTimer.singleShot(0, lambda m=m, pos=event.position().toPoint(): self.open_flag(m, pos))
                    return True
        return False

    # ----------------------------------------------------------- next flag
    def next_flag(self) -> Marked | None:
        """F8 or a click on the count: select the next flagged word after the cursor (the
        first after the last), scrolled into view, its fixes shown as a click shows them."""
        marks = self.to_check()
        if not marks:
            self.window.statusBar().showMessage(NOTHING_TO_CHECK, 5000)
            return None
        after = self.editor.textCursor().selectionEnd()
        marked = next((m for m in marks if m.cursor.selectionStart() >= after), marks[0])
        self.editor.setTextCursor(QTextCursor(marked.cursor))  # selects the word and scrolls to it
        self.editor.setFocus()
        self.open_flag(marked)
        return marked

    # ---------------------------------------------------------------- fixes
    def open_flag(self, marked: Marked, pos=None) -> QMenu | None:
        """Show the flag's fixes in the suggestions list (first on top) and a menu at the word."""
        if marked not in self.marked:
            return None
        self.show_fixes(marked)
        menu = self.empty_menu()
        for n, s in enumerate(marked.flag.suggestions[:9], start=1):
            action = menu.addAction(f"&{n}  {s.word}")
            if n == 1:
                font = QFont(action.font())
                font.setBold(True)
                action.setFont(font)
            action.triggered.connect(lambda _=False, n=n: self.apply_fix(marked, n))
        if not marked.flag.suggestions:
            menu.addAction("No suggestion").setEnabled(False)
        menu.addSeparator()
        menu.addAction("&Ignore", lambda: self.ignore(marked.flag.word))
        menu.addAction(f"&Add “{marked.flag.word}” to dictionary", lambda: self.add_to_dictionary(marked.flag.word))
        if pos is None:
            pos = self.editor.cursorRect(marked.cursor).bottomLeft()
        menu.popup(self.editor.viewport().mapToGlobal(pos))
        return menu

    def empty_menu(self) -> QMenu:
        """The one fix menu, closed and emptied for the next flag. Reused, not made anew:
        new menus piled up, and deleting a closed one as the next pops up closed the new
        one too (the old menu's window still had the focus; seen offscreen)."""
        if self.last_menu is None:
            self.last_menu = QMenu(self.editor)
            self.last_menu.setObjectName("checkerMenu")
        menu = self.last_menu
        menu.hide()
        for action in menu.actions():
            menu.removeAction(action)
            action.deleteLater()  # later: it may be the action being triggered now
        return menu

    def show_fixes(self, marked: Marked) -> None:
        """The suggestions list shows the fixes (Alt+1 or a click puts one in place)."""
        start, end = self.flag_span(marked)
        candidates = tuple(
            Candidate(s.word, math.exp(s.log_score), 0, (), s.log_score) for s in marked.flag.suggestions
        )
        result = MaskResult(start, end, candidates, FIX_LABEL, original=marked.flag.word)
        self.holding = True
        self.session.hold(self.editor.toPlainText(), Prediction((result,), mode=Mode.SPAN))
        self.window.statusBar().showMessage(tooltip(marked.flag), 8000)

    def apply_fix(self, marked: Marked, n: int = 1) -> bool:
        """Put fix ``n`` in place of the flagged word: one undo step."""
        if marked not in self.marked or not 1 <= n <= len(marked.flag.suggestions):
            return False
        shown = self.session.shown
        if shown is None or not shown.prediction.masks or shown.prediction.masks[0].original != marked.flag.word:
            self.show_fixes(marked)
        candidate = self.session.shown.prediction.masks[0].candidates[n - 1]
        self.window.fill(0, candidate)
        return True

    def ignore(self, word: str) -> None:
        """Accept ``word`` for the rest of this session: its flags go."""
        self.ignored.add(word.lower())
        self.marked = [m for m in self.marked if m.flag.word.lower() != word.lower()]
        self._paint()
        if self.holding and self.showing_fixes_of(word):
            self.holding = False
            sentence = f"“{word}” stays as you wrote it: no fix to put in."
            self.session.show_message(sentence)
            self.window.statusBar().showMessage(sentence, 5000)  # not the flag's "Alt+1 puts it in"
            self.session.release()  # the suggestions follow the text again after the pause

    def showing_fixes_of(self, word: str) -> bool:
        """Whether the suggestions list shows the fixes of ``word`` (a flag's, held)."""
        shown = self.session.shown
        masks = shown.prediction.masks if shown is not None else ()
        return len(masks) == 1 and masks[0].score_label == FIX_LABEL and (masks[0].original or "").lower() == word.lower()

    def add_to_dictionary(self, word: str) -> bool:
        """Remember ``word`` as the writer's (Preferences ▸ Edit your dictionary)."""
        try:
            self.writers_dictionary().add(word)
        except OSError as exc:
            self.window.warn(f"“{word}” could not be added to your dictionary ({exc.strerror or exc}). "
                             "Check that your user data folder is writable; the word is ignored for now.")
        self.ignore(word)
        self.window.statusBar().showMessage(f"“{word}” is in your dictionary now.", 5000)
        return True

    def _paragraph(self, text: str) -> tuple[int, int]:
        at = min(len(text), python_index(text, self.editor.textCursor().position()))
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        return start, len(text) if end < 0 else end


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def tooltip(flag) -> str:
    kind = KIND_WORDS.get(flag.kind, "Unusual here")
    if not flag.suggestions:
        return f"{kind}: “{flag.word}” (no suggestion; click to ignore it or add it to your dictionary)."
    fix = flag.suggestions[0].word
    return f"{kind}: “{flag.word}” → “{fix}”? Click for the fix (Alt+1 puts it in)."
