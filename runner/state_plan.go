package runner

import (
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Dumping the whole state after every step costs time that grows with the
// state, and faster than linearly: bash's `declare -p` compares every
// variable's name with every one before it while listing them (vlist_add in
// variables.c), and writes a line per variable. So the runner reads each
// step before it runs and names what it could change; the wrapper dumps
// those names only (`declare -p NAME...`, `declare -f NAME...`,
// `alias NAME...`), which costs the same at 10 variables and at 10,000.
//
// The reading must never miss a name: a missed change would be a wrong
// restore. So it is conservative. Every name the step assigns in the
// current shell counts (assignments, `declare`/`export`/`local`/`readonly`,
// `read`, `mapfile`, `printf -v`, `getopts`, `for`/`select` variables,
// `${x:=...}`, arithmetic assignments, `{fd}>` redirections, `unset`), and
// so does every name the functions it may call assign, read the same way.
// Whatever it cannot follow makes the dump a full one: `eval`, `source`,
// `trap`, a command or a name it cannot know before the step runs (`$cmd`,
// `declare "$1=..."`), an alias whose text does not parse, a name reference
// or integer declaration, arithmetic on a value that is not a plain integer
// (bash evaluates such values as expressions, and `n='x=1'; $((n))`
// assigns x), traps and prompt hooks of the course (they run code between
// the runner's dumps), POSIX mode. A name whose value the runner knows
// (`export V$x=1` where the step does not change x) is read from the state.
// Subshells, pipelines' members, command substitutions and background jobs
// cannot change the shell, and are not followed.

// dumpPlan is what the wrapper dumps after a round trip.
type dumpPlan struct {
	full bool
	// why says what made the dump a full one (tests, docs).
	why                  string
	vars, funcs, aliases []string
	// check: dump the planned names, then everything (checkDeltas).
	check bool
}

// checkDeltas makes every delta dump followed by a full one, and the
// runner compare the two: tests set it to prove the planner misses
// nothing.
var checkDeltas bool

// line is the plan as the wrapper reads it from the tokens file: three
// lines (variables, functions, aliases), each led by a letter so none is
// empty. `F` is a full dump, `V` a delta followed by a full one.
func (p *dumpPlan) lines() string {
	var b strings.Builder
	switch {
	case p.full:
		b.WriteString("F")
	case p.check:
		b.WriteString("V")
	default:
		b.WriteString("v")
	}
	for _, n := range p.vars {
		b.WriteString(" " + n)
	}
	b.WriteString("\nf")
	for _, n := range p.funcs {
		b.WriteString(" " + n)
	}
	b.WriteString("\na")
	for _, n := range p.aliases {
		b.WriteString(" " + n)
	}
	b.WriteString("\n")
	return b.String()
}

// Builtins that change the shell in ways the planner follows only when it
// can read them, or not at all; a command word resolved from a variable
// must not be one of them.
var stateBuiltins = map[string]bool{
	"declare": true, "typeset": true, "local": true, "export": true, "readonly": true,
	"unset": true, "read": true, "mapfile": true, "readarray": true, "printf": true,
	"getopts": true, "wait": true, "alias": true, "unalias": true, "cd": true, "pushd": true,
	"popd": true, "let": true, "eval": true, "source": true, ".": true, "trap": true, "fc": true,
	"enable": true, "builtin": true, "command": true, "set": true, "shopt": true, "exec": true,
	"select": true, "coproc": true, "hash": true, "umask": true,
}

// planner reads one script against the state it will run in.
type planner struct {
	st *shellState
	// decls caches the parsed declarations of variables it looked at.
	decls map[string]*varDecl

	full                 string
	vars, funcs, aliases map[string]bool
	// tainted: assigned something that may not be a plain integer.
	tainted map[string]bool
	// arith: read in arithmetic, where a value that is not a plain integer
	// is evaluated as an expression.
	arith map[string]bool
	// words: every literal word seen (function and alias names among them).
	words map[string]bool
	// local: functions the script defines (their bodies, to follow calls);
	// localAliases: aliases it defines (their text, for the lines after).
	local        map[string]*syntax.Stmt
	localAliases map[string]string
	followed     map[string]bool
	dynamic      []dynWord
	// lastpipe: the last member of a pipeline may run in this shell.
	lastpipe bool
	// params: parameters whose value a dynamic word depends on.
	params map[string]bool
}

type dynKind int

const (
	dynVar dynKind = iota
	dynFunc
	dynAlias
	dynCommand
	dynVarOrFunc
)

type dynWord struct {
	kind dynKind
	word *syntax.Word
}

// planDump says what to dump after script runs in a shell whose state is
// st (nil: unknown, dump everything).
func planDump(st *shellState, script string) *dumpPlan {
	if st == nil {
		return &dumpPlan{full: true, why: "the shell's state is not known yet"}
	}
	if why := st.opaque(); why != "" {
		return &dumpPlan{full: true, why: why}
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return &dumpPlan{full: true, why: "the step does not parse: " + err.Error()}
	}
	p := &planner{st: st, decls: map[string]*varDecl{}, vars: map[string]bool{}, funcs: map[string]bool{},
		aliases: map[string]bool{}, tainted: map[string]bool{}, arith: map[string]bool{}, words: map[string]bool{},
		local: map[string]*syntax.Stmt{}, localAliases: map[string]string{}, followed: map[string]bool{}, params: map[string]bool{}}
	p.lastpipe = strings.Contains(script, "lastpipe") || strings.Contains(st.optionsLine("BASHOPTS"), "lastpipe")
	p.stmts(f.Stmts)
	p.follow()
	p.resolve()
	if p.full == "" {
		for name := range p.arith {
			if p.tainted[name] || !p.inert(name) {
				p.full = "arithmetic on " + name + ", which may hold an expression"
				break
			}
		}
	}
	if p.full != "" {
		return &dumpPlan{full: true, why: p.full}
	}
	plan := &dumpPlan{check: checkDeltas}
	for n := range p.vars {
		if keptVar(n) && !slices.Contains(alwaysDumped, n) {
			plan.vars = append(plan.vars, n)
		}
	}
	for n := range p.funcs {
		if validFuncName(n) && !strings.HasPrefix(n, "__cc") {
			plan.funcs = append(plan.funcs, n)
		}
	}
	for n := range p.aliases {
		plan.aliases = append(plan.aliases, n)
	}
	slices.Sort(plan.vars)
	slices.Sort(plan.funcs)
	slices.Sort(plan.aliases)
	return plan
}

// opaque says why no step can be read against st: code of the course's
// that runs when the runner does not look (traps, prompt hooks), or rules
// the planner does not model (POSIX mode's assignments, `set -k`).
func (st *shellState) opaque() string {
	if st.traps {
		return "the course set a trap"
	}
	if pc, ok := st.vars["PROMPT_COMMAND"]; ok {
		d, err := parseDecl(pc)
		if err != nil || !d.array || len(d.elems) != 1 || d.elems[0].key != "99" {
			return "the course set PROMPT_COMMAND"
		}
	}
	for _, ps := range []string{"PS0", "PS1", "PS2", "PS4"} {
		if line, ok := st.vars[ps]; ok && runsCode(line) {
			return ps + " runs code"
		}
	}
	so := st.optionsLine("SHELLOPTS")
	for _, o := range []string{"posix", "keyword", "functrace"} {
		if strings.Contains(":"+so+":", ":"+o+":") {
			return "set -o " + o
		}
	}
	if strings.Contains(":"+st.optionsLine("BASHOPTS")+":", ":extdebug:") {
		return "shopt -s extdebug"
	}
	return ""
}

// runsCode: a prompt string's expansion could assign or run something.
func runsCode(line string) bool {
	return strings.Contains(line, "$(") || strings.Contains(line, "`") || strings.Contains(line, "$[") ||
		strings.Contains(line, "=") && strings.Count(line, "=") > 1
}

func (st *shellState) optionsLine(name string) string {
	if d, err := parseDecl(st.vars[name]); err == nil {
		return d.value
	}
	return ""
}

func (p *planner) setFull(why string) {
	if p.full == "" {
		p.full = why
	}
}

func (p *planner) decl(name string) *varDecl {
	if d, ok := p.decls[name]; ok {
		return d
	}
	var d *varDecl
	if line, ok := p.st.vars[name]; ok {
		d, _ = parseDecl(line)
	}
	p.decls[name] = d
	return d
}

// inert: the variable's value (before the step) is nothing arithmetic
// would evaluate further: unset, empty, or integers.
func (p *planner) inert(name string) bool {
	d := p.decl(name)
	if d == nil {
		_, known := p.st.vars[name]
		return !known
	}
	if !d.array {
		return isInteger(d.value)
	}
	for _, e := range d.elems {
		if !isInteger(e.value) {
			return false
		}
	}
	return true
}

func (p *planner) assoc(name string) bool {
	d := p.decl(name)
	return d != nil && strings.Contains(d.flags, "A")
}

func (p *planner) integer(name string) bool {
	d := p.decl(name)
	return d != nil && strings.Contains(d.flags, "i")
}

func (p *planner) nameref(name string) bool {
	d := p.decl(name)
	return d != nil && strings.Contains(d.flags, "n")
}

// write notes that name may be assigned; plain says the value is a plain
// integer (or empty).
func (p *planner) write(name string, plain bool) {
	if !isIdent(name) {
		p.setFull("an assignment to " + name)
		return
	}
	if p.nameref(name) {
		p.setFull(name + " is a name reference")
	}
	p.vars[name] = true
	if !plain && !p.integer(name) {
		p.tainted[name] = true
	}
}

func (p *planner) stmts(list []*syntax.Stmt) {
	for _, s := range list {
		p.stmt(s, false)
	}
}

// stmt follows one statement; sub means it runs in a subshell (nothing it
// does reaches this shell).
func (p *planner) stmt(s *syntax.Stmt, sub bool) {
	if s == nil || sub {
		return
	}
	if s.Coprocess {
		p.setFull("a coprocess")
		return
	}
	if s.Background {
		return
	}
	for _, r := range s.Redirs {
		p.redirect(r)
	}
	p.command(s.Cmd)
}

func (p *planner) redirect(r *syntax.Redirect) {
	if r.N != nil {
		if name := strings.TrimSuffix(strings.TrimPrefix(r.N.Value, "{"), "}"); name != r.N.Value {
			p.write(name, true)
		}
	}
	p.word(r.Word)
	p.word(r.Hdoc)
}

func (p *planner) command(c syntax.Command) {
	switch c := c.(type) {
	case nil:
	case *syntax.CallExpr:
		p.call(c)
	case *syntax.DeclClause:
		p.declClause(c.Variant.Value, c.Args)
	case *syntax.Block:
		p.stmts(c.Stmts)
	case *syntax.Subshell:
	case *syntax.IfClause:
		for ; c != nil; c = c.Else {
			p.stmts(c.Cond)
			p.stmts(c.Then)
		}
	case *syntax.WhileClause:
		p.stmts(c.Cond)
		p.stmts(c.Do)
	case *syntax.ForClause:
		switch l := c.Loop.(type) {
		case *syntax.WordIter:
			plain := true
			for _, w := range l.Items {
				p.word(w)
				if !isInteger(w.Lit()) {
					plain = false
				}
			}
			if l.InPos.Line() == 0 {
				plain = false // `for x; do`: the positional parameters
			}
			p.write(l.Name.Value, plain && !c.Select)
			if c.Select {
				p.write("REPLY", false)
			}
		case *syntax.CStyleLoop:
			p.arithm(l.Init)
			p.arithm(l.Cond)
			p.arithm(l.Post)
		}
		p.stmts(c.Do)
	case *syntax.CaseClause:
		p.word(c.Word)
		for _, it := range c.Items {
			for _, w := range it.Patterns {
				p.word(w)
			}
			p.stmts(it.Stmts)
		}
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			// Every member of a pipeline runs in a subshell, but the last
			// one may not (lastpipe without job control).
			p.stmt(c.X, true)
			p.stmt(c.Y, !p.lastpipe)
			if p.lastpipe {
				p.pipeLeft(c.X)
			}
			return
		}
		p.stmt(c.X, false)
		p.stmt(c.Y, false)
	case *syntax.FuncDecl:
		if c.Name == nil {
			p.setFull("an anonymous function")
			return
		}
		p.funcs[c.Name.Value] = true
		p.local[c.Name.Value] = c.Body
	case *syntax.ArithmCmd:
		p.arithm(c.X)
	case *syntax.TestClause:
		p.test(c.X)
	case *syntax.LetClause:
		for _, x := range c.Exprs {
			p.arithm(x)
		}
	case *syntax.TimeClause:
		p.stmt(c.Stmt, false)
	case *syntax.CoprocClause:
		p.setFull("a coprocess")
	default:
		p.setFull("a command the runner does not follow")
	}
}

// pipeLeft follows the nested left side of a pipeline under lastpipe: its
// last member is itself a pipeline's last member only when nested.
func (p *planner) pipeLeft(s *syntax.Stmt) {
	if b, ok := s.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) {
		p.stmt(b.Y, false)
		p.pipeLeft(b.X)
	}
}

func (p *planner) call(c *syntax.CallExpr) {
	for _, a := range c.Assigns {
		p.assign(a)
	}
	args := c.Args
	for _, w := range args {
		p.word(w)
	}
	for len(args) > 0 {
		name, ok := litWord(args[0])
		if !ok {
			// A path (`~/soft/tool`, `$dir/run.sh`) names a program:
			// whatever it expands to, it is no builtin, function or alias.
			if !hasSlash(args[0]) || p.slashFuncs() {
				p.dynamic = append(p.dynamic, dynWord{dynCommand, args[0]})
			}
			return
		}
		p.words[name] = true
		switch name {
		case "command", "builtin":
			args = args[1:]
			for len(args) > 0 {
				if o, ok := litWord(args[0]); ok && strings.HasPrefix(o, "-") {
					args = args[1:]
					continue
				}
				break
			}
			continue
		}
		p.builtin(name, args[1:])
		return
	}
}

// builtin follows a command named name (a builtin, a function, an alias
// or a program) with its arguments.
func (p *planner) builtin(name string, args []*syntax.Word) {
	switch name {
	case "eval", "source", ".", "trap", "fc", "enable", "coproc":
		p.setFull("`" + name + "`")
	case "declare", "typeset", "local", "export", "readonly":
		var as []*syntax.Assign
		for _, w := range args {
			as = append(as, &syntax.Assign{Naked: true, Value: w})
		}
		p.declClause(name, as)
	case "unset":
		vars, funcs := true, true
		p.options(args, "", func(o byte, _ *syntax.Word) {
			switch o {
			case 'f':
				vars = false
			case 'v', 'n':
				funcs = false
			}
		}, func(w *syntax.Word) {
			kind := dynVarOrFunc
			switch {
			case !funcs:
				kind = dynVar
			case !vars:
				kind = dynFunc
			}
			p.name(kind, w)
		})
	case "read":
		names := 0
		p.options(args, "adinNptu", func(o byte, arg *syntax.Word) {
			if o == 'a' {
				names++
				p.name(dynVar, arg)
			}
		}, func(w *syntax.Word) { names++; p.name(dynVar, w) })
		if names == 0 {
			p.write("REPLY", false)
		}
	case "mapfile", "readarray":
		names := 0
		p.options(args, "dnOsuCc", func(o byte, _ *syntax.Word) {
			if o == 'C' {
				p.setFull("a mapfile callback")
			}
		}, func(w *syntax.Word) { names++; p.name(dynVar, w) })
		if names == 0 {
			p.write("MAPFILE", false)
		}
	case "printf":
		p.options(args, "v", func(o byte, arg *syntax.Word) { p.name(dynVar, arg) }, nil)
	case "getopts":
		if len(args) >= 2 {
			p.name(dynVar, args[1])
		}
		p.write("OPTIND", true)
		p.write("OPTARG", false)
	case "wait":
		p.options(args, "p", func(o byte, arg *syntax.Word) { p.name(dynVar, arg) }, nil)
	case "alias":
		for _, w := range args {
			// An alias the step defines expands in its later lines: its
			// text is followed as the state's aliases are.
			s, ok := litWord(w)
			if !ok {
				s, ok = p.expand(w, false)
			}
			if !ok {
				p.setFull("an alias the runner cannot know before the step runs")
				return
			}
			if n, v, ok := strings.Cut(s, "="); ok && !strings.HasPrefix(s, "-") {
				p.aliasName(n)
				p.localAliases[n] = v
			}
		}
	case "unalias":
		for _, w := range args {
			s, ok := litWord(w)
			switch {
			case !ok:
				p.dynamic = append(p.dynamic, dynWord{dynAlias, w})
			case s == "-a":
				p.setFull("`unalias -a`")
			case !strings.HasPrefix(s, "-"):
				p.aliasName(s)
			}
		}
	case "cd", "pushd", "popd":
		p.write("OLDPWD", false)
	case "select":
		p.write("REPLY", false)
	}
}

// options walks a builtin's arguments getopt-style: withArg lists the
// letters that take an argument; opt gets each option, operand each
// operand (nil: ignore them). An option word it cannot read makes the plan
// a full one.
func (p *planner) options(args []*syntax.Word, withArg string, opt func(byte, *syntax.Word), operand func(*syntax.Word)) {
	rest := len(args)
	for i := 0; i < len(args); i++ {
		s, ok := litWord(args[i])
		if ok && s == "--" {
			rest = i + 1
			break
		}
		if !ok && wordMayBeOption(args[i]) {
			// A word the state may tell: `printf "$fmt" ...`.
			if v, known := p.expand(args[i], false); !known || strings.HasPrefix(v, "-") {
				p.setFull("an option the runner cannot read")
				return
			}
		}
		if !ok || !strings.HasPrefix(s, "-") || s == "-" {
			rest = i
			break
		}
		for j := 1; j < len(s); j++ {
			o := s[j]
			if !strings.ContainsRune(withArg, rune(o)) {
				opt(o, nil)
				continue
			}
			var arg *syntax.Word
			if j+1 < len(s) {
				arg = &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: s[j+1:]}}}
			} else if i+1 < len(args) {
				i++
				arg = args[i]
			}
			if arg != nil {
				opt(o, arg)
			}
			break
		}
	}
	if operand == nil {
		return
	}
	for _, w := range args[rest:] {
		operand(w)
	}
}

// wordMayBeOption: a non-literal word could expand to an option (`read
// $flags x`) unless it starts with a literal that is not a dash.
func wordMayBeOption(w *syntax.Word) bool {
	if len(w.Parts) == 0 {
		return false
	}
	switch q := w.Parts[0].(type) {
	case *syntax.Lit:
		return q.Value == "" || q.Value[0] == '-'
	case *syntax.SglQuoted:
		return q.Value == "" || q.Value[0] == '-'
	}
	return true
}

// name notes a name argument: literal, or to resolve once the step is read.
func (p *planner) name(kind dynKind, w *syntax.Word) {
	if w == nil {
		return
	}
	s, ok := litWord(w)
	if !ok {
		p.dynamic = append(p.dynamic, dynWord{kind, w})
		return
	}
	p.nameString(kind, s)
}

func (p *planner) nameString(kind dynKind, s string) {
	n := s
	if i := strings.IndexAny(n, "[="); i >= 0 {
		n = n[:i]
	}
	n = strings.TrimSuffix(n, "+")
	switch kind {
	case dynVar:
		p.write(n, false)
	case dynFunc:
		p.funcs[s] = true
	case dynVarOrFunc:
		p.write(n, false)
		if validFuncName(s) {
			p.funcs[s] = true
		}
	case dynAlias:
		n, _, _ := strings.Cut(s, "=")
		p.aliasName(n)
	}
}

func (p *planner) aliasName(n string) {
	if !validAliasName(n) {
		p.setFull("an alias named " + n)
		return
	}
	p.aliases[n] = true
}

// declClause follows declare, typeset, local, export, readonly and the
// like: flags first, then names (with or without a value).
func (p *planner) declClause(variant string, args []*syntax.Assign) {
	funcs := false
	if variant == "nameref" {
		p.setFull("a name reference")
		return
	}
	for _, a := range args {
		if a.Naked && a.Name != nil && a.Index == nil {
			kind := dynVar
			if funcs {
				kind = dynFunc
			}
			p.nameString(kind, a.Name.Value)
			continue
		}
		if a.Naked && a.Name == nil && a.Value != nil {
			s, lit := litWord(a.Value)
			if lit && (strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+")) && len(s) > 1 {
				if strings.ContainsAny(s[1:], "ni") {
					p.setFull("`" + variant + " " + s + "`")
				}
				if strings.ContainsRune(s[1:], 'f') || strings.ContainsRune(s[1:], 'F') {
					funcs = true
				}
				continue
			}
			p.word(a.Value)
			kind := dynVar
			if funcs {
				kind = dynFunc
			}
			if !lit {
				if v, known := p.expand(a.Value, true); wordMayBeOption(a.Value) && (!known || strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+")) {
					p.setFull("an option the runner cannot read")
				}
				p.dynamic = append(p.dynamic, dynWord{kind, a.Value})
				continue
			}
			p.nameString(kind, s)
			continue
		}
		if funcs {
			p.setFull("`" + variant + " -f` with a value")
			continue
		}
		p.assign(a)
	}
}

func (p *planner) assign(a *syntax.Assign) {
	if a.Name == nil {
		p.setFull("an assignment the runner cannot read")
		return
	}
	name := a.Name.Value
	plain := false
	if a.Index != nil {
		p.index(name, a.Index)
	}
	switch {
	case a.Array != nil:
		plain = true
		for _, e := range a.Array.Elems {
			if e.Index != nil {
				p.index(name, e.Index)
			}
			p.word(e.Value)
			if e.Value != nil && !isInteger(e.Value.Lit()) {
				plain = false
			}
		}
	case a.Value != nil:
		p.word(a.Value)
		plain = plainValue(a.Value)
		if p.integer(name) {
			p.arithWord(a.Value)
		}
	default:
		plain = !a.Naked || p.decl(name) == nil
	}
	if a.Append && !p.integer(name) {
		plain = false
	}
	p.write(name, plain)
}

// plainValue: the word's value is a plain integer (or empty): a literal
// number or one arithmetic expansion.
func plainValue(w *syntax.Word) bool {
	if w == nil || len(w.Parts) == 0 {
		return true
	}
	if len(w.Parts) == 1 {
		switch x := w.Parts[0].(type) {
		case *syntax.ArithmExp:
			return true
		case *syntax.Lit:
			return isInteger(x.Value)
		}
	}
	return false
}

// index follows an array subscript: arithmetic, unless the array is
// associative.
func (p *planner) index(array string, x syntax.ArithmExpr) {
	if p.assoc(array) {
		if w, ok := x.(*syntax.Word); ok {
			p.word(w)
			return
		}
	}
	p.arithm(x)
}

// word follows the expansions in a word that run in this shell.
func (p *planner) word(w *syntax.Word) {
	if w == nil {
		return
	}
	if s, ok := litWord(w); ok {
		p.words[s] = true
	}
	for _, part := range w.Parts {
		p.wordPart(part)
	}
}

func (p *planner) wordPart(part syntax.WordPart) {
	switch x := part.(type) {
	case *syntax.DblQuoted:
		for _, q := range x.Parts {
			p.wordPart(q)
		}
	case *syntax.ParamExp:
		p.paramExp(x)
	case *syntax.CmdSubst:
		if x.TempFile || x.ReplyVar {
			p.setFull("a command substitution that runs in this shell")
		}
	case *syntax.ArithmExp:
		p.arithm(x.X)
	case *syntax.ProcSubst:
	case *syntax.ExtGlob, *syntax.Lit, *syntax.SglQuoted:
	case *syntax.BraceExp:
		for _, e := range x.Elems {
			p.word(e)
		}
	default:
		p.setFull("an expansion the runner does not follow")
	}
}

func (p *planner) paramExp(x *syntax.ParamExp) {
	if x.Param == nil || x.NestedParam != nil || x.Flags != nil {
		p.setFull("an expansion the runner does not follow")
		return
	}
	name := x.Param.Value
	if x.Index != nil {
		p.index(name, x.Index)
	}
	if x.Slice != nil {
		p.arithm(x.Slice.Offset)
		p.arithm(x.Slice.Length)
	}
	if x.Repl != nil {
		p.word(x.Repl.Orig)
		p.word(x.Repl.With)
	}
	if x.Exp != nil {
		p.word(x.Exp.Word)
		if x.Exp.Op == syntax.AssignUnset || x.Exp.Op == syntax.AssignUnsetOrNull {
			if x.Excl {
				p.setFull("an assignment through ${!name}")
				return
			}
			p.write(name, plainValue(x.Exp.Word))
		}
	}
}

// arithm follows an arithmetic expression: the names it assigns, and the
// names it reads (whose values must not be expressions themselves).
func (p *planner) arithm(x syntax.ArithmExpr) {
	switch x := x.(type) {
	case nil:
	case *syntax.BinaryArithm:
		if x.Op == syntax.Assgn || x.Op >= syntax.AddAssgn && x.Op <= syntax.PowAssgn {
			p.arithTarget(x.X)
			p.arithm(x.Y)
			return
		}
		p.arithm(x.X)
		p.arithm(x.Y)
	case *syntax.UnaryArithm:
		if x.Op == syntax.Inc || x.Op == syntax.Dec {
			p.arithTarget(x.X)
			return
		}
		p.arithm(x.X)
	case *syntax.ParenArithm:
		p.arithm(x.X)
	case *syntax.Word:
		p.arithWord(x)
	default:
		p.setFull("arithmetic the runner does not follow")
	}
}

// arithTarget notes an arithmetic assignment's target (a name, or an
// array element).
func (p *planner) arithTarget(x syntax.ArithmExpr) {
	w, ok := x.(*syntax.Word)
	if !ok || len(w.Parts) != 1 {
		p.setFull("an arithmetic assignment the runner cannot read")
		return
	}
	switch t := w.Parts[0].(type) {
	case *syntax.Lit:
		p.arith[t.Value] = true
		p.write(t.Value, true)
	case *syntax.ParamExp:
		if t.Param == nil || t.Short {
			p.setFull("an arithmetic assignment the runner cannot read")
			return
		}
		p.arith[t.Param.Value] = true
		if t.Index != nil {
			p.index(t.Param.Value, t.Index)
		}
		p.write(t.Param.Value, true)
	default:
		p.setFull("an arithmetic assignment the runner cannot read")
	}
}

// arithWord follows a word that arithmetic evaluates: a number, a name
// (read), or expansions whose values are then evaluated.
func (p *planner) arithWord(w *syntax.Word) {
	for _, part := range w.Parts {
		switch x := part.(type) {
		case *syntax.Lit:
			if isIdent(x.Value) {
				p.arith[x.Value] = true
			} else if !isArithLiteral(x.Value) {
				p.setFull("arithmetic the runner does not follow")
			}
		case *syntax.ParamExp:
			switch {
			case x.Length:
			case x.Param == nil:
				p.setFull("arithmetic the runner does not follow")
			case isSpecialInt(x.Param.Value):
			case x.Exp != nil || x.Repl != nil || x.Slice != nil || x.Excl || x.Names != 0:
				p.setFull("arithmetic on an expansion the runner does not follow")
			default:
				p.arith[x.Param.Value] = true
			}
			p.paramExp(x)
		case *syntax.DblQuoted:
			p.arithWord(&syntax.Word{Parts: x.Parts})
		case *syntax.SglQuoted:
			if !isArithLiteral(x.Value) {
				p.setFull("arithmetic the runner does not follow")
			}
		case *syntax.ArithmExp:
			p.arithm(x.X)
		default:
			p.setFull("arithmetic on an expansion the runner does not follow")
		}
	}
}

// isSpecialInt: $#, $?, $$, $! hold plain integers.
func isSpecialInt(s string) bool { return s == "#" || s == "?" || s == "$" || s == "!" }

// isArithLiteral: a number of arithmetic (decimal, 0x.., base#digits).
func isArithLiteral(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '#' || c == '_' || c == '@') {
			return false
		}
	}
	return s[0] >= '0' && s[0] <= '9'
}

func (p *planner) test(x syntax.TestExpr) {
	switch x := x.(type) {
	case nil:
	case *syntax.BinaryTest:
		switch x.Op {
		case syntax.TsEql, syntax.TsNeq, syntax.TsLeq, syntax.TsGeq, syntax.TsLss, syntax.TsGtr:
			for _, side := range []syntax.TestExpr{x.X, x.Y} {
				if w, ok := side.(*syntax.Word); ok {
					p.word(w)
					p.arithWord(w)
				} else {
					p.setFull("arithmetic the runner does not follow")
				}
			}
			return
		case syntax.TsReMatch:
			p.write("BASH_REMATCH", false)
		}
		p.test(x.X)
		p.test(x.Y)
	case *syntax.UnaryTest:
		p.test(x.X)
	case *syntax.ParenTest:
		p.test(x.X)
	case *syntax.Word:
		p.word(x)
	default:
		p.setFull("a test the runner does not follow")
	}
}

// follow reads the bodies of the functions the step may call (its words
// that name one, transitively), and the text of its aliases.
func (p *planner) follow() {
	for changed := true; changed && p.full == ""; {
		changed = false
		once := func(key string) bool {
			if p.followed[key] {
				return false
			}
			p.followed[key] = true
			changed = true
			return true
		}
		for w := range p.words {
			if body, ok := p.local[w]; ok && once("function "+w) {
				p.stmt(body, false)
			}
			if f, ok := p.st.funcs[w]; ok && once("state function "+w) {
				p.funcText(w, f.text)
			}
			if a, ok := p.localAliases[w]; ok && once("alias "+w) {
				p.aliasText(w, a)
			}
			if a, ok := p.st.aliases[w]; ok && once("state alias "+w) {
				p.aliasText(w, a)
			}
		}
	}
}

func (p *planner) funcText(name, text string) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil || len(f.Stmts) != 1 {
		p.setFull("function " + name + " does not parse")
		return
	}
	fd, ok := f.Stmts[0].Cmd.(*syntax.FuncDecl)
	if !ok {
		p.setFull("function " + name + " does not parse")
		return
	}
	p.stmt(fd.Body, false)
}

// aliasText follows an alias's text as the commands it expands to; one
// that is not a whole command by itself (`alias x='if true; then'`) makes
// the plan a full one.
func (p *planner) aliasText(name, text string) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil {
		p.setFull("alias " + name + " is not a whole command")
		return
	}
	p.stmts(f.Stmts)
}

// resolve reads the dynamic words from the state: each may only depend on
// variables the step does not change.
func (p *planner) resolve() {
	for i := 0; i < len(p.dynamic) && p.full == ""; i++ {
		d := p.dynamic[i]
		s, ok := p.expand(d.word, d.kind != dynCommand)
		if !ok {
			p.setFull("a name the runner cannot know before the step runs")
			return
		}
		if d.kind == dynCommand {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				p.setFull("a command named by a variable")
				return
			}
			if stateBuiltins[s] {
				p.setFull("`" + s + "` named by a variable")
				return
			}
			if _, ok := p.st.funcs[s]; ok {
				p.setFull("a function named by a variable")
				return
			}
			if _, ok := p.local[s]; ok {
				p.setFull("a function named by a variable")
				return
			}
			if _, ok := p.st.aliases[s]; ok {
				p.setFull("an alias named by a variable")
				return
			}
			continue
		}
		if strings.ContainsAny(s, " \t\n") || s == "" || strings.HasPrefix(s, "-") {
			p.setFull("a name the runner cannot know before the step runs")
			return
		}
		p.nameString(d.kind, s)
	}
	for name := range p.params {
		if p.vars[name] {
			p.setFull("a name computed from " + name + ", which the step changes")
			return
		}
	}
}

// expand gives a word's value from the state: literals, quotes, and plain
// $NAME / ${NAME} of scalar variables. With name, only the part before an
// unquoted `=` or `[` (a name argument's value and index are not needed).
func (p *planner) expand(w *syntax.Word, name bool) (string, bool) {
	var b strings.Builder
	done := false
	var part func(syntax.WordPart, bool) bool
	part = func(x syntax.WordPart, quoted bool) bool {
		switch x := x.(type) {
		case *syntax.Lit:
			v := x.Value
			// A name argument ends at its `=` or `[`, quoted or not: the
			// builtin splits it after the shell removed the quotes.
			if i := strings.IndexAny(v, "=["); name && i >= 0 {
				v, done = v[:i], true
			}
			if !quoted && strings.ContainsAny(v, "*?[{~\\") {
				return false
			}
			b.WriteString(v)
		case *syntax.SglQuoted:
			if x.Dollar {
				return false
			}
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			if x.Dollar {
				return false
			}
			for _, q := range x.Parts {
				if !part(q, true) {
					return false
				}
			}
		case *syntax.ParamExp:
			if x.Param == nil || x.Index != nil || x.Slice != nil || x.Repl != nil || x.Exp != nil ||
				x.Excl || x.Length || x.Names != 0 || !isIdent(x.Param.Value) {
				return false
			}
			name := x.Param.Value
			p.params[name] = true
			d := p.decl(name)
			if _, known := p.st.vars[name]; known && (d == nil || d.array || strings.Contains(d.flags, "n")) {
				return false
			}
			if d != nil {
				if !quoted && strings.ContainsAny(d.value, "*?[ \t\n") {
					return false
				}
				b.WriteString(d.value)
			}
		default:
			return false
		}
		return true
	}
	for _, x := range w.Parts {
		if !part(x, false) {
			return "", false
		}
		if done {
			break
		}
	}
	return b.String(), true
}

// slashFuncs: a function's name holds a slash (bash allows it), so a path
// may name a function.
func (p *planner) slashFuncs() bool {
	for n := range p.st.funcs {
		if strings.Contains(n, "/") {
			return true
		}
	}
	for n := range p.local {
		if strings.Contains(n, "/") {
			return true
		}
	}
	return false
}

// hasSlash: a literal part of the word holds a slash.
func hasSlash(w *syntax.Word) bool {
	for _, part := range w.Parts {
		switch x := part.(type) {
		case *syntax.Lit:
			if strings.Contains(x.Value, "/") {
				return true
			}
		case *syntax.SglQuoted:
			if strings.Contains(x.Value, "/") {
				return true
			}
		}
	}
	return false
}

// litWord is a word's value when it has no expansions (quotes allowed).
func litWord(w *syntax.Word) (string, bool) {
	if w == nil {
		return "", false
	}
	var b strings.Builder
	for _, part := range w.Parts {
		switch x := part.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(x.Value, "*?[{~\\") {
				return "", false
			}
			b.WriteString(x.Value)
		case *syntax.SglQuoted:
			if x.Dollar {
				return "", false
			}
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok || strings.ContainsAny(l.Value, "\\$`") {
					return "", false
				}
				b.WriteString(l.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}
