// Owns translating the Python `re` patterns JobServ definitions use (console-progress, test-grepping)
// into JavaScript RegExps: `(?P<n>…)` groups, `(?P=n)` back-references, leading `(?ims)` flags, \A and \Z.

/** Compiles a Python-syntax pattern; throws SyntaxError when it cannot be expressed or is invalid. */
export function pythonRegExp(pattern: string, extraFlags = ""): RegExp {
  let flags = extraFlags;
  let rest = pattern;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(rest);
  if (lead !== null) {
    const f = lead[1] ?? "";
    if (f.includes("x")) throw new SyntaxError("verbose (?x) patterns are not supported");
    for (const c of "ims") if (f.includes(c) && !flags.includes(c)) flags += c;
    rest = rest.slice(lead[0].length);
  }
  return new RegExp(translate(rest), flags);
}

function translate(p: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      const n = p[i + 1] ?? "";
      if (!inClass && n === "A") out += "(?<![\\s\\S])";
      else if (!inClass && n === "Z") out += "(?![\\s\\S])";
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (p[i + 1] === "^") out += p[++i];
      if (p[i + 1] === "]") out += "\\" + p[++i]; // a leading ] is literal in Python
      continue;
    }
    if (p.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    const backref = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(p.slice(i, i + 80));
    if (backref !== null) {
      out += `\\k<${backref[1] ?? ""}>`;
      i += backref[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}
