"""Statement shapes as ../shared/data/wordpress-query-shapes.sql writes them: the statement
re-emitted token by token with literals normalised ('?' a string, ? a number, IN (?+) or
IN ('?'+) a literal list, VALUES (..), ... for further tuples), comments dropped, one space
between tokens except around '.', after '(', before ')' and ',', and before the '(' of a
function call or a column list that follows a bare (non-reserved) name. Keyword case is kept.
shape() is idempotent on the file's own lines, which the compat suite checks."""
import re

TOKEN = re.compile(r"""
    (?P<ws>\s+|/\*.*?\*/|--[ \t][^\n]*|\#[^\n]*)
  | (?P<list>\('\?'\+\)|\(\?\+\))                # already normalised literal lists
  | (?P<more>\.\.\.)                             # already normalised further tuples
  | (?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
  | (?P<num>0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\?)
  | (?P<qid>`(?:[^`]|``)*`)
  | (?P<word>@@[A-Za-z_][A-Za-z0-9_$]*|@?[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op><=>|<=|>=|<>|!=|:=|\|\||&&|[-+*/%=<>!~^&|(),.;])
""", re.S | re.X)

# Reserved words of MySQL 8 that are followed by '(' in WordPress's SQL; after them the '('
# opens an expression or list, not a call, and the shapes file keeps the space.
RESERVED = {
    "AND", "AS", "BY", "CASE", "DEFAULT", "DISTINCT", "ELSE", "EXISTS", "FROM", "HAVING", "IN",
    "INTO", "IS", "JOIN", "KEY", "LIKE", "LIMIT", "NOT", "ON", "OR", "REGEXP", "RLIKE",
    "SELECT", "SET", "THEN", "UNION", "USING", "VALUES", "WHEN", "WHERE", "XOR",
}


def tokens(sql):
    out, i = [], 0
    while i < len(sql):
        m = TOKEN.match(sql, i)
        if not m:
            raise ValueError("cannot tokenise %r at %d" % (sql, i))
        i = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        text = m.group()
        if kind == "str":
            text = "'?'"
        elif kind == "num":
            text = "?"
        out.append((kind, text))
    while out and out[-1][1] == ";":
        out.pop()
    return out


def _literal_lists(toks):
    """IN (lit, lit, ...) -> IN (?+) or IN ('?'+)."""
    out, i = [], 0
    while i < len(toks):
        out.append(toks[i])
        if toks[i][0] == "word" and toks[i][1].upper() == "IN" and i + 1 < len(toks) \
                and toks[i + 1][1] == "(":
            j, kinds = i + 2, set()
            while j < len(toks) and toks[j][0] in ("str", "num"):
                kinds.add(toks[j][0])
                if toks[j + 1][1] == ",":
                    j += 2
                    continue
                j += 1
                break
            if kinds and len(kinds) == 1 and j < len(toks) and toks[j][1] == ")" \
                    and toks[j - 1][1] != ",":
                out.append(("list", "('?'+)" if "str" in kinds else "(?+)"))
                i = j + 1
                continue
        i += 1
    return out


def _close(toks, i):
    """Index of the ')' that closes the '(' at toks[i]."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][1] == "(":
            depth += 1
        elif toks[j][1] == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _more_tuples(toks):
    """VALUES (..), (..), (..) -> VALUES (..), ..."""
    out, i = [], 0
    while i < len(toks):
        out.append(toks[i])
        if toks[i][0] == "word" and toks[i][1].upper() == "VALUES" and i + 1 < len(toks) \
                and toks[i + 1][1] == "(":
            j = _close(toks, i + 1)
            out.extend(toks[i + 1:j + 1])
            i = j + 1
            more = False
            while i + 1 < len(toks) and toks[i][1] == "," and toks[i + 1][1] == "(":
                i = _close(toks, i + 1) + 1
                more = True
            if more:
                out.extend([("op", ","), ("more", "...")])
            continue
        i += 1
    return out


def shape(sql):
    toks = _more_tuples(_literal_lists(tokens(sql)))
    s = ""
    prev = None
    for kind, text in toks:
        if prev is not None:
            space = True
            if text in (",", ")", ".") or prev[1] in ("(", "."):
                space = False
            elif text == "(" and (prev[0] == "word" and prev[1].upper() not in RESERVED):
                space = False
            if space:
                s += " "
        s += text
        prev = (kind, text)
    return s + ";"


def read_shapes(path):
    """[(count, shape)] of the shapes file."""
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r"/\*\s*(\d+)\s*\*/\s*(.*)$", line.rstrip("\n"))
            if m:
                out.append((int(m.group(1)), m.group(2)))
    return out
