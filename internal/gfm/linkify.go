package gfm

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Linkify turns bare URLs (http:, https:, ftp:, www.) and e-mail addresses
// into autolinks, as goldmark's extension.Linkify does with its default
// patterns. Its parser is goldmark's with the two patterns written as
// scans (urlEnd, wwwEnd); no pattern is compiled at start-up.
var Linkify goldmark.Extender = linkify{}

type linkify struct{}

func (linkify) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(linkifyParser{}, 999)))
}

type linkifyParser struct{}

func (linkifyParser) Trigger() []byte {
	// ' ' indicates any white spaces and a line head
	return []byte{' ', '*', '_', '~', '('}
}

var (
	protoHTTP  = []byte("http:")
	protoHTTPS = []byte("https:")
	protoFTP   = []byte("ftp:")
	domainWWW  = []byte("www.")
)

// Parse is goldmark's linkifyParser.Parse (extension/linkify.go) with the
// default configuration, the regexp matches replaced by urlEnd and wwwEnd.
func (linkifyParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if pc.IsInLinkLabel() {
		return nil
	}
	line, segment := block.PeekLine()
	consumes := 0
	start := segment.Start
	c := line[0]
	// advance if current position is not a line head.
	if c == ' ' || c == '*' || c == '_' || c == '~' || c == '(' {
		consumes++
		start++
		line = line[1:]
	}

	stop := -1
	var protocol []byte
	var typ ast.AutoLinkType = ast.AutoLinkURL
	if bytes.HasPrefix(line, protoHTTP) || bytes.HasPrefix(line, protoHTTPS) || bytes.HasPrefix(line, protoFTP) {
		stop = urlEnd(line)
	}
	if stop < 0 && bytes.HasPrefix(line, domainWWW) {
		stop = wwwEnd(line)
		protocol = []byte("http")
	}
	if stop < 0 {
		if len(line) > 0 && util.IsPunct(line[0]) {
			return nil
		}
		typ = ast.AutoLinkEmail
		stop = util.FindEmailIndex(line)
		if stop < 0 {
			return nil
		}
		at := bytes.IndexByte(line, '@')
		if bytes.IndexByte(line[at:stop-1], '.') < 0 {
			return nil
		}
		if line[stop-1] == '.' {
			stop--
		}
		if stop < len(line) {
			nextChar := line[stop]
			if nextChar == '-' || nextChar == '_' {
				return nil
			}
		}
	}
	if consumes != 0 {
		s := segment.WithStop(segment.Start + 1)
		ast.MergeOrAppendTextSegment(parent, s)
	}
	opening := bytes.Count(line[:stop], []byte{'('})
	closing := bytes.Count(line[:stop], []byte{')'})
	i := stop
	for i > 1 {
		switch line[i-1] {
		case '?', '!', '.', ',', ':', '*', '_', '~':
			i--
		case ')':
			if closing <= opening {
				goto endfor
			}
			closing--
			i--
		case ';':
			j := i - 2
			for ; j > 0; j-- {
				if util.IsAlphaNumeric(line[j]) {
					continue
				}
				break
			}
			if j == i-2 || line[j] != '&' {
				goto endfor
			}
			i = j
		default:
			goto endfor
		}
	}
endfor:
	consumes += i
	block.Advance(consumes)
	n := ast.NewTextSegment(text.NewSegment(start, start+i))
	link := ast.NewAutoLink(typ, n)
	link.Protocol = protocol
	return link
}

func (linkifyParser) CloseBlock(parent ast.Node, pc parser.Context) {}

// urlEnd is where goldmark's default URL pattern, anchored at the start,
// ends its match in line, -1 for no match:
//
//	^(?:http|https|ftp)://[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?::\d+)?(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=\(\);,'">\^{}\[\]`]*)?
func urlEnd(line []byte) int {
	var i int
	switch {
	case bytes.HasPrefix(line, []byte("http://")):
		i = len("http://")
	case bytes.HasPrefix(line, []byte("https://")):
		i = len("https://")
	case bytes.HasPrefix(line, []byte("ftp://")):
		i = len("ftp://")
	default:
		return -1
	}
	return hostAndPath(line, i)
}

// wwwEnd is the same for the www. pattern:
//
//	^www\.[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?:[/#?][-a-zA-Z0-9@:%_\+.~#!?&/=\(\);,'">\^{}\[\]`]*)?
//
// which differs from the URL pattern after "www." only in taking no port.
func wwwEnd(line []byte) int {
	if !bytes.HasPrefix(line, domainWWW) {
		return -1
	}
	return hostOnly(line, len(domainWWW), false)
}

func hostAndPath(line []byte, from int) int {
	return hostOnly(line, from, true)
}

// hostOnly matches, from line[from:], `HOST{1,256}\.[a-z]+` (backtracking
// as a regexp would, to the longest match), then with port a `(?::\d+)?`,
// then the optional path; it returns the end, -1 for no match.
func hostOnly(line []byte, from int, port bool) int {
	// The greedy host run, at most 256 bytes; then back off to the last
	// `.` followed by a lower-case label that the pattern can end on. A
	// regexp tries the longest host first: the first end found from the
	// right that gives a match is the one it takes, and what follows the
	// TLD (port, path) only extends it.
	n := 0
	for from+n < len(line) && n < 256+1 && isHostByte(line[from+n]) {
		n++
	}
	best := -1
	// Try each split: host = line[from:from+h] (1..256 bytes), then `.`,
	// then [a-z]+ (greedy, all lower-case letters available).
	for h := min(n, 256); h >= 1; h-- {
		dot := from + h
		if dot >= len(line) || line[dot] != '.' {
			continue
		}
		j := dot + 1
		for j < len(line) && line[j] >= 'a' && line[j] <= 'z' {
			j++
		}
		if j == dot+1 {
			continue
		}
		end := j
		if port && end < len(line) && line[end] == ':' {
			k := end + 1
			for k < len(line) && line[k] >= '0' && line[k] <= '9' {
				k++
			}
			if k > end+1 {
				end = k
			}
		}
		if end < len(line) && (line[end] == '/' || line[end] == '#' || line[end] == '?') {
			end++
			for end < len(line) && isPathByte(line[end], port) {
				end++
			}
		}
		best = end
		break
	}
	return best
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		bytes.IndexByte([]byte("-@:%._+~#="), c) >= 0
}

// isPathByte is the path's class; the URL pattern's also has `$`.
func isPathByte(c byte, url bool) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	if url && c == '$' {
		return true
	}
	return bytes.IndexByte([]byte("-@:%_+.~#!?&/=();,'\">^{}[]`"), c) >= 0
}
