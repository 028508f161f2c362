package render

import (
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
)

// A page saved with Windows line endings reads as the same page: CRLF is a
// line ending (CommonMark), not a control character to show. Shown as
// `\x0d`, every blank line stopped being blank and the page's structure
// (paragraphs, lists, fences) was lost.
func TestProseCRLF(t *testing.T) {
	mod := proseModule(t, "# Title\r\n\r\nSome *prose*.\r\n\r\n- one\r\n- two\r\n\r\n```text\r\nplain\r\n```\r\n")
	got := Terminal{Width: 60}.Prose(mod, 0)
	want := "  Title\n\n  Some prose.\n\n  • one\n  • two\n\n    plain\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Control characters the document writes as character references
// (&#27;, &#x9b;) are shown, never sent, like the literal ones
// (docs/render.md, "No colour"; sgr.Printable).
func TestProseEntityControlsShown(t *testing.T) {
	mod := proseModule(t, "Red &#27;[31mtext&#x1b;]0;title&#7; and &#x9b;1m.\n\n<div>block &#27;[35m</div>\n\n[l](https://e.com/&#27;x)\n")
	for _, tm := range []Terminal{{Width: 80}, {Width: 80, Color: true, Hyperlinks: true}} {
		got := tm.Prose(mod, 0)
		rest := got
		if tm.Color {
			rest = xansi.Strip(got) // our own colours and links
		}
		if strings.ContainsAny(rest, "\x1b\a\u009b") {
			t.Errorf("color=%v: a control character reaches the terminal:\n%s", tm.Color, quoteEscapes(got))
		}
		if !strings.Contains(rest, `\x1b[31mtext`) {
			t.Errorf("color=%v: the escape is not shown:\n%s", tm.Color, rest)
		}
	}
}

// A code span may run over a line break in the source; the break is a
// blank (CommonMark), not a new line at column 0 with the span's colour
// left open across it.
func TestCodeSpanOverLines(t *testing.T) {
	mod := proseModule(t, "Run `git commit\n-m \"msg\"` now.\n\n- item `a\nb` c\n")
	for _, tm := range []Terminal{{Width: 80}, {Width: 80, Color: true}} {
		got := xansi.Strip(tm.Prose(mod, 0))
		want := "  Run git commit -m \"msg\" now.\n\n  • item a b c\n"
		if got != want {
			t.Errorf("color=%v: got\n%s\nwant\n%s", tm.Color, got, want)
		}
	}
}

// An ordered list is numbered from its first number, 0 included.
func TestOrderedListStartsAtZero(t *testing.T) {
	mod := proseModule(t, "0. zero\n1. one\n")
	got := Terminal{Width: 60}.Prose(mod, 0)
	if want := "  0. zero\n  1. one\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A table's columns are aligned as its delimiter row says, and a cell
// holding a word wider than its column's share (a URL) widens the column
// rather than pushing that one row's bars out of line.
func TestTableAlignmentAndBars(t *testing.T) {
	const u = "https://example.com/a/very/long/url/that/cannot/be/broken/anywhere"
	mod := proseModule(t, "| name | n | mid |\n|---|--:|:-:|\n| a | 1 | x |\n| bb | 100 | yyy |\n\n"+
		"| some words in a header cell | link | more |\n|---|---|---|\n| a cell with quite a few words in it | "+u+" | c |\n| short | also short | d |\n")
	got := Terminal{Width: 60}.Prose(mod, 0)
	for _, want := range []string{"   name │   n │ mid\n", "   a    │   1 │  x\n", "   bb   │ 100 │ yyy\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	bar := -1
	for _, l := range strings.Split(strings.SplitN(got, "\n\n", 2)[1], "\n") {
		if !strings.Contains(l, "│") {
			continue
		}
		at := xansi.StringWidth(l[:strings.LastIndex(l, "│")])
		if bar >= 0 && at != bar {
			t.Errorf("the bars are not in line (column %d, then %d):\n%s", bar, at, got)
			break
		}
		bar = at
	}
	if !strings.Contains(got, u) {
		t.Errorf("the URL is cut:\n%s", got)
	}
}

// An HTML block shows what a browser would: not a script's code, a style
// sheet's rules or a comment, even one holding a '>'.
func TestHTMLBlockHidesScriptStyleComments(t *testing.T) {
	mod := proseModule(t, "<script>alert(\"x\")</script>\n\n<style>\nbody { color: red; }\n</style>\n\n"+
		"<div>\nshown <!-- a -> b --> text\n</div>\n")
	got := Terminal{Width: 60}.Prose(mod, 0)
	if want := "  shown text\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Tabs in prose are blanks: the paragraph wraps at them.
func TestProseTabsAreBlanks(t *testing.T) {
	mod := proseModule(t, "Tabbed\tcolumns\there\tand\tmore\twords\tthat\tgo\ton\tand\ton\tforever.\n")
	got := Terminal{Width: 40}.Prose(mod, 0)
	if want := "  Tabbed columns here and more words\n  that go on and on forever.\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A definition written right under its term hangs under it, no blank
// line between them.
func TestDefinitionUnderItsTerm(t *testing.T) {
	mod := proseModule(t, "Term\n: The definition.\n: Another.\n\nNext\n\n: Loose one.\n")
	got := Terminal{Width: 60}.Prose(mod, 0)
	if want := "  Term\n    The definition.\n    Another.\n\n  Next\n\n    Loose one.\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A <pre> block keeps its lines and blanks, as a browser shows it.
func TestHTMLPreKeepsItsLines(t *testing.T) {
	mod := proseModule(t, "<pre>\nname    size\n  a.txt  &lt;1k\n</pre>\n\n<pre>&gt; docker-compose up</pre>\n")
	got := Terminal{Width: 60}.Prose(mod, 0)
	if want := "    name    size\n      a.txt  <1k\n\n    > docker-compose up\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// The rest of a list item after a step inside it reads as prose under its
// item: cut at the step, its lines would start the next chunk indented by
// the item's four columns, an indented code block.
func TestItemRestAfterStepIsProse(t *testing.T) {
	mod := proseModule(t, "1.  Make it:\n\n    ```sh\n    mkdir -p demo\n    ```\n\n    Then look at it,\n    in the item.\n\n        an indented block\n\n2.  Next\n")
	got := Terminal{Width: 80}.Prose(mod, 1)
	want := "      Then look at it, in the item.\n\n        an indented block\n\n  2. Next\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// Chinese and Japanese have no blanks between words: a paragraph wraps
// between wide characters, within the width, never starting a line with
// closing punctuation, and no blank is added where a line is cut.
func TestWideTextWraps(t *testing.T) {
	src := "这是一个很长的中文段落，用来测试换行是否正确地在字符之间进行，而不会超出终端的宽度。English words 进来 too.\n\n日本語の文章もスペースなしで続きます。これは折り返しのテストです。\n"
	mod := proseModule(t, src)
	for w := MinWidth; w <= 50; w++ {
		got := Terminal{Width: w}.Prose(mod, 0)
		var joined strings.Builder
		for _, l := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
			if xansi.StringWidth(l) > w {
				t.Errorf("width %d: %d columns: %q", w, xansi.StringWidth(l), l)
			}
			body := strings.TrimPrefix(l, "  ")
			if strings.ContainsAny(body[:min(len(body), 3)], "。，、") {
				t.Errorf("width %d: a line starts with closing punctuation: %q", w, l)
			}
			joined.WriteString(body)
		}
		// Nothing is lost or added but the cuts.
		if want := strings.NewReplacer(" ", "", "\n", "").Replace(src); strings.ReplaceAll(joined.String(), " ", "") != want {
			t.Errorf("width %d: text changed:\n%s", w, got)
		}
	}
}

// An image in an HTML block (a README's centred logo) reads as a markdown
// image does, and the text around it stays.
func TestHTMLBlockImage(t *testing.T) {
	mod := proseModule(t, "<p align=\"center\">\n  <img src=\"docs/logo.png\" alt=\"The logo\" width=\"200\">\n  Fast &amp; small\n</p>\n\n<img src='x.png'>\n")
	got := Terminal{Width: 80}.Prose(mod, 0)
	want := "  Image: The logo → docs/logo.png Fast & small\n\n  Image: x.png\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// After a step inside an item of a list numbered `1.` throughout (as
// GitHub numbers it: 1, 2, 3), the list goes on with the page's numbers,
// not from 1 again; a list inside the item's rest keeps its own.
func TestListNumbersGoOnAfterAStep(t *testing.T) {
	mod := proseModule(t, "1. Make it:\n\n   ```sh\n   mkdir -p demo\n   ```\n\n   1. inner\n\n1. Second\n\n1. Third:\n\n   ```sh\n   ls\n   ```\n\n1. Fourth\n")
	tm := Terminal{Width: 80}
	if got, want := tm.Prose(mod, 1), "     1. inner\n\n  2. Second\n\n  3. Third:\n"; got != want {
		t.Errorf("after the first step:\ngot  %q\nwant %q", got, want)
	}
	if got, want := tm.Prose(mod, 2), "  4. Fourth\n"; got != want {
		t.Errorf("after the second step:\ngot  %q\nwant %q", got, want)
	}
	// The step in a bullet list inside the ordered item: the ordered list
	// still goes on with 2.
	nested := proseModule(t, "1. one\n   - x\n\n     ```sh\n     echo n\n     ```\n   - y\n1. two\n")
	// and the inner list's next bullet stays under its item.
	if got, want := tm.Prose(nested, 1), "     • y\n\n  2. two\n"; got != want {
		t.Errorf("after a step in a nested list:\ngot  %q\nwant %q", got, want)
	}
}

// Jekyll sites style a paragraph or a figure with a kramdown attribute list
// on the line under it (docs.docker.com's tutorial does): it is markup,
// not text. One inside a line is text.
func TestKramdownAttributeListsHidden(t *testing.T) {
	src := "# T\n\n![Todo](x.png)\n{: .text-center }\n\nPara\n{: .note}\n\n{: #x}\n\nA {: b} c.\n\n1. item\n   {: .li }\n2. next\n"
	got := Terminal{Width: 80}.Prose(proseModule(t, src), 0)
	want := "  T\n\n  Image: Todo → x.png\n\n  Para\n\n  A {: b} c.\n\n  1. item\n  2. next\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	page, err := HTML(proseModule(t, src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if body := string(page); strings.Contains(body, ".text-center") || strings.Contains(body, "{: .note}") || !strings.Contains(body, "A {: b} c.") {
		t.Errorf("the page:\n%s", body[strings.Index(body, "<article"):])
	}
}
