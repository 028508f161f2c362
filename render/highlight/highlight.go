// Package highlight gives render the chroma lexers and styles it uses
// without linking chroma's lexers and styles packages: those parse all
// their definitions (279 lexers, every style) in package initialisers,
// which every coursectl command pays for before main runs.
//
// Here a curated set of languages is embedded as chroma's own XML
// definitions (data/, written by `go generate` from the chroma version in
// go.mod; see gen/main.go for the set and docs/render.md for why a
// subset). A lexer's XML is read the first time the language is asked
// for, and chroma compiles its rules the first time it lexes.
package highlight

//go:generate go run ./gen

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

//go:embed data
var data embed.FS

// lexerDef is one embedded lexer, as the generated index.go lists it.
type lexerDef struct {
	file string
	// uses are the lexers this one's rules hand text to (chroma's Using
	// and UsingByGroup emitters), transitively. chroma finds them by name
	// in the lexer's own registry, so they are registered with it.
	uses []string
	// frontmatter: chroma wraps the lexer in Go code that lexes a leading
	// `---` YAML block with the YAML lexer (chroma's lexers/markdown.go).
	frontmatter bool
	// otherAsString: the lexer runs inside another's strings and chroma
	// shows its Other tokens as strings (Go's raw strings through the Go
	// template lexer, chroma's lexers/go.go).
	otherAsString bool
}

var (
	mu     sync.Mutex
	built  = map[string]chroma.Lexer{}
	parsed = map[string]*chroma.Style{}
)

// Lexer returns the lexer for a language given by chroma name, alias,
// file extension or file name ("bash", "sh", "console", "py", "yml",
// "Dockerfile"): the one chroma's lexers.Get returns for the name
// lower-cased. It returns nil for a language not in the embedded set;
// callers fall back to Lexer("plaintext") themselves.
//
// The lexer is built on first use and shared afterwards; it is safe for
// concurrent use, like every chroma lexer.
func Lexer(name string) chroma.Lexer {
	canon, ok := lookup[strings.ToLower(name)]
	if !ok {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if l := built[canon]; l != nil {
		return l
	}
	// Each lexer gets a registry of its own, holding it and the lexers it
	// uses, never changed once built: registering into a shared one would
	// write maps another goroutine's lexer may be reading mid-Tokenise.
	// A lexer used by several (bash, by docker and makefile) is built once
	// per user; chroma compiles rules lazily, so that costs only when used.
	reg := chroma.NewLexerRegistry()
	for _, n := range append([]string{canon}, lexerDefs[canon].uses...) {
		reg.Register(build(n, reg))
	}
	l := reg.Get(canon)
	built[canon] = l
	return l
}

// build makes the lexer named n from its embedded definition. The data
// is generated and tested, so a definition that does not parse is a bug
// in this package, not a condition callers could handle.
func build(n string, reg *chroma.LexerRegistry) chroma.Lexer {
	def, ok := lexerDefs[n]
	if !ok {
		panic(fmt.Sprintf("highlight: no embedded lexer %q", n))
	}
	var l chroma.Lexer = chroma.MustNewXMLLexer(data, def.file)
	if def.otherAsString {
		l = chroma.TypeRemappingLexer(l, chroma.TypeMapping{{From: chroma.Other, To: chroma.LiteralString}})
	}
	if def.frontmatter {
		l = &frontmatterLexer{Lexer: l, reg: reg}
	}
	return l
}

// Style returns the embedded chroma style of that name ("github",
// "github-dark"; case-insensitive), or nil for another name. Styles are
// parsed on first use and shared: callers must not change them.
func Style(name string) *chroma.Style {
	name = strings.ToLower(name)
	file, ok := styleFiles[name]
	if !ok {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if s := parsed[name]; s != nil {
		return s
	}
	f, err := data.Open(file)
	if err != nil {
		panic(fmt.Sprintf("highlight: %v", err))
	}
	defer f.Close()
	s, err := chroma.NewXMLStyle(f)
	if err != nil {
		panic(fmt.Sprintf("highlight: %s: %v", file, err))
	}
	parsed[name] = s
	return s
}

// frontmatterLexer is chroma's markdownLexer (lexers/markdown.go), which
// is Go code, not data: a document that starts with a `---` block has
// that block lexed as YAML, the rest as markdown.
type frontmatterLexer struct {
	chroma.Lexer
	reg *chroma.LexerRegistry
}

func (m *frontmatterLexer) Tokenise(options *chroma.TokeniseOptions, text string) (chroma.Iterator, error) {
	frontmatter, rest, ok := splitFrontmatter(text)
	if !ok {
		return m.Lexer.Tokenise(options, text)
	}
	yaml := m.reg.Get("YAML")
	if yaml == nil {
		return m.Lexer.Tokenise(options, text)
	}
	yamlTokens, err := yaml.Tokenise(options, frontmatter)
	if err != nil {
		return nil, err
	}
	markdownTokens, err := m.Lexer.Tokenise(options, rest)
	if err != nil {
		return nil, err
	}
	return chroma.Concaterator(yamlTokens, markdownTokens), nil
}

// splitFrontmatter is chroma's (lexers/markdown.go): the leading
// `---` … `---` block with its closing line, and the rest.
func splitFrontmatter(text string) (frontmatter string, rest string, ok bool) {
	if !strings.HasPrefix(text, "---\n") && !strings.HasPrefix(text, "---\r\n") {
		return "", text, false
	}
	lineEnd := strings.IndexByte(text, '\n')
	if lineEnd < 0 {
		return "", text, false
	}
	if strings.TrimSuffix(text[:lineEnd], "\r") != "---" {
		return "", text, false
	}
	for pos := lineEnd + 1; pos < len(text); {
		next := strings.IndexByte(text[pos:], '\n')
		if next < 0 {
			break
		}
		lineEnd = pos + next
		line := strings.TrimSuffix(text[pos:lineEnd], "\r")
		if line == "---" {
			return text[:lineEnd+1], text[lineEnd+1:], true
		}
		pos = lineEnd + 1
	}
	return "", text, false
}
