package runner

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A checkpoint keeps the shell's variables as the `declare -p` lines bash
// printed, and its aliases and functions as bash printed them too. None of
// that text ever reaches bash again as it is: a restore parses each item
// here, refuses anything that is not exactly what bash prints (a
// declaration, a value in one of bash's two quoting forms), and writes the
// values back in quoting of its own (docs/design.md, "Checkpoints").

// varDecl is one parsed `declare -p` line.
type varDecl struct {
	flags string // attribute letters ("" for `--`), in bash's order
	name  string
	// set: the line has a value (`declare -x V` has none: declared, unset).
	set   bool
	array bool // indexed or associative (flags hold a or A)
	value string
	elems []arrayElem
}

type arrayElem struct{ key, value string }

var errNotDecl = errors.New("not a declaration bash prints")

// declFlags are the attribute letters `declare -p` prints.
const declFlags = "aAilnrtuxc"

// parseDecl parses one line of `declare -p` output. It accepts exactly
// bash's forms: `declare FLAGS NAME`, `declare FLAGS NAME=SCALAR`,
// `declare -a|-A NAME=([KEY]=SCALAR ...)`, where SCALAR is "..." (with
// `\` only before `\ " $` and backquote) or $'...'.
func parseDecl(line string) (*varDecl, error) {
	rest, ok := strings.CutPrefix(line, "declare -")
	if !ok {
		return nil, errNotDecl
	}
	flags, rest, ok := strings.Cut(rest, " ")
	if !ok || flags == "" {
		return nil, errNotDecl
	}
	d := &varDecl{}
	if flags != "-" {
		for _, c := range flags {
			if !strings.ContainsRune(declFlags, c) || strings.ContainsRune(d.flags, c) {
				return nil, errNotDecl
			}
			d.flags += string(c)
		}
	}
	d.array = strings.ContainsAny(d.flags, "aA")
	n := identLen(rest)
	if n == 0 {
		return nil, errNotDecl
	}
	d.name, rest = rest[:n], rest[n:]
	if rest == "" {
		return d, nil
	}
	if rest[0] != '=' {
		return nil, errNotDecl
	}
	rest = rest[1:]
	d.set = true
	if !d.array {
		v, tail, err := parseScalar(rest)
		if err != nil || tail != "" {
			return nil, errNotDecl
		}
		d.value = v
		return d, d.check()
	}
	rest, ok = strings.CutPrefix(rest, "(")
	if !ok {
		return nil, errNotDecl
	}
	for {
		rest = strings.TrimPrefix(rest, " ")
		if rest == ")" {
			break
		}
		if rest == "" || rest[0] != '[' {
			return nil, errNotDecl
		}
		key, tail, err := parseKey(rest[1:])
		if err != nil {
			return nil, err
		}
		tail, ok = strings.CutPrefix(tail, "]=")
		if !ok {
			return nil, errNotDecl
		}
		v, tail, err := parseScalar(tail)
		if err != nil {
			return nil, err
		}
		d.elems = append(d.elems, arrayElem{key, v})
		if tail != ")" && !strings.HasPrefix(tail, " ") {
			return nil, errNotDecl
		}
		rest = tail
	}
	return d, d.check()
}

// check refuses values that would run something when bash assigns them:
// an integer variable's value is evaluated as arithmetic (where `a[$(cmd)]`
// runs cmd), and so is a name reference's target when it is used.
func (d *varDecl) check() error {
	integer := strings.Contains(d.flags, "i")
	if strings.Contains(d.flags, "n") && d.set && !validRefTarget(d.value) {
		return fmt.Errorf("%s: a name reference to %q", d.name, d.value)
	}
	if integer && !d.array && d.set && !isInteger(d.value) {
		return fmt.Errorf("%s: an integer variable holding %q", d.name, d.value)
	}
	indexed := strings.Contains(d.flags, "a")
	for _, e := range d.elems {
		if indexed && !isUint(e.key) {
			return fmt.Errorf("%s: array index %q", d.name, e.key)
		}
		if integer && !isInteger(e.value) {
			return fmt.Errorf("%s: an integer array holding %q", d.name, e.value)
		}
	}
	return nil
}

// render is the declaration as the restore script writes it: every value
// in single quotes of our own.
func (d *varDecl) render() string {
	var b strings.Builder
	b.WriteString("declare -")
	if d.flags == "" {
		b.WriteString("-")
	} else {
		b.WriteString(d.flags)
	}
	b.WriteString(" ")
	b.WriteString(d.name)
	if !d.set {
		return b.String()
	}
	b.WriteString("=")
	if !d.array {
		b.WriteString(shellQuote(d.value))
		return b.String()
	}
	b.WriteString("(")
	for i, e := range d.elems {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("[")
		if strings.Contains(d.flags, "A") {
			b.WriteString(shellQuote(e.key))
		} else {
			b.WriteString(e.key)
		}
		b.WriteString("]=")
		b.WriteString(shellQuote(e.value))
	}
	b.WriteString(")")
	return b.String()
}

// parseScalar reads one of bash's quoted values at the start of s.
func parseScalar(s string) (value, rest string, err error) {
	switch {
	case strings.HasPrefix(s, `"`):
		return parseDouble(s[1:])
	case strings.HasPrefix(s, "$'"):
		return parseANSIC(s[2:])
	}
	return "", "", errNotDecl
}

// parseDouble reads a "..." value bash's sh_double_quote wrote (the
// opening quote already read): a backslash only before \ " $ or a
// backquote, and no unescaped $ or backquote.
func parseDouble(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 >= len(s) || !strings.ContainsRune("\\\"$`", rune(s[i+1])) {
				return "", "", errNotDecl
			}
			i++
			b.WriteByte(s[i])
		case '$', '`', '\n':
			return "", "", errNotDecl
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errNotDecl
}

// parseANSIC reads a $'...' value (the opening $' already read).
func parseANSIC(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			return b.String(), s[i+1:], nil
		}
		if c == '\n' {
			return "", "", errNotDecl
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", "", errNotDecl
		}
		switch e := s[i]; e {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'e', 'E':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '\'', '"', '?':
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, j := 0, i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				n = n*8 + int(s[j]-'0')
			}
			if n == 0 || n > 0xff {
				return "", "", errNotDecl
			}
			b.WriteByte(byte(n))
			i = j - 1
		case 'x', 'u', 'U':
			max := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			n, j := 0, i+1
			for ; j < len(s) && j <= i+max && isHex(s[j]); j++ {
				n = n*16 + hexVal(s[j])
			}
			if j == i+1 || n == 0 {
				return "", "", errNotDecl
			}
			if e == 'x' {
				b.WriteByte(byte(n))
			} else {
				if !utf8.ValidRune(rune(n)) {
					return "", "", errNotDecl
				}
				b.WriteRune(rune(n))
			}
			i = j - 1
		case 'c':
			if i+1 >= len(s) {
				return "", "", errNotDecl
			}
			i++
			b.WriteByte(s[i] & 0x1f)
		default:
			return "", "", errNotDecl
		}
	}
	return "", "", errNotDecl
}

// parseKey reads an associative array's key up to its `]`: bare (no shell
// metacharacters), "..." or $'...'.
func parseKey(s string) (string, string, error) {
	if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "$'") {
		return parseScalar(s)
	}
	i := strings.IndexByte(s, ']')
	if i <= 0 {
		return "", "", errNotDecl
	}
	key := s[:i]
	if strings.ContainsAny(key, " \t\n'\"\\|&;()<>!{}*[?^$`") || key[0] == '~' || key[0] == '#' {
		return "", "", errNotDecl
	}
	return key, s[i:], nil
}

// parseAlias reads one `alias NAME='VALUE'` of `alias -p` output from the
// start of s (a value may span lines). rest is what follows its newline.
func parseAlias(s string) (name, value, rest string, err error) {
	r, ok := strings.CutPrefix(s, "alias ")
	if !ok {
		return "", "", "", errNotDecl
	}
	eq := strings.IndexByte(r, '=')
	if eq <= 0 || !validAliasName(r[:eq]) {
		return "", "", "", errNotDecl
	}
	name, r = r[:eq], r[eq+1:]
	var b strings.Builder
	for {
		// sh_single_quote: '...' pieces joined by \' for each quote.
		if !strings.HasPrefix(r, "'") {
			return "", "", "", errNotDecl
		}
		end := strings.IndexByte(r[1:], '\'')
		if end < 0 {
			return "", "", "", errNotDecl
		}
		b.WriteString(r[1 : 1+end])
		r = r[end+2:]
		if strings.HasPrefix(r, `\'`) {
			b.WriteByte('\'')
			r = r[2:]
			if r == "" || r[0] == '\n' {
				break
			}
			continue
		}
		break
	}
	if r != "" {
		var ok bool
		r, ok = strings.CutPrefix(r, "\n")
		if !ok {
			return "", "", "", errNotDecl
		}
	}
	return name, b.String(), r, nil
}

// validAliasName is what bash's `alias` accepts as a name, less what could
// be taken for an option.
func validAliasName(s string) bool {
	if s == "" || s[0] == '-' || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsAny(s, " \t\n/$`='\"\\|&;()<>")
}

// validRefTarget: what a name reference may point to without a restore
// evaluating anything: a name, or a name with a literal index.
func validRefTarget(s string) bool {
	n := identLen(s)
	if n == 0 {
		return false
	}
	rest := s[n:]
	if rest == "" {
		return true
	}
	idx, ok := strings.CutPrefix(rest, "[")
	if !ok || !strings.HasSuffix(idx, "]") {
		return false
	}
	idx = idx[:len(idx)-1]
	return idx == "@" || idx == "*" || isUint(idx)
}

// identLen is the length of the shell name at the start of s.
func identLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return i
	}
	return len(s)
}

func isIdent(s string) bool { return s != "" && identLen(s) == len(s) }

func isUint(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isInteger: what bash prints as an integer variable's value.
func isInteger(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	return s == ""
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}
