// Typesets TeX into MathML at build time, which the browser lays out itself: the pages load no
// MathJax script, and a formula is a few elements, not the dozens of MathJax's HTML output.
// Input (stdin): JSON [{"tex": "...", "display": true}, ...]. Output (stdout): JSON
// {"html": ["<math ...>...</math>", ...]}.
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { SerializedMmlVisitor } = require("mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js");
const { STATE } = require("mathjax-full/js/core/MathItem.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");
const { TEXCLASS } = require("mathjax-full/js/core/MmlTree/MmlNode.js");

RegisterHTMLHandler(liteAdaptor());
// Every package MathJax's browser build would load (some on demand, through autoload), but not
// textmacros, which the browser build leaves out too (with it, \text{max_norm} is an error).
const skip = ["bussproofs", "noerrors", "textmacros"];
const packages = AllPackages.filter((name) => !skip.includes(name));
const doc = mathjax.document("", {
  InputJax: new TeX({ packages, formatError: (jax, error) => jax.formatError(error) }),
});
const visitor = new SerializedMmlVisitor();

// MathML Core (what browsers lay out) draws a letter in another alphabet (\mathbb{R},
// \mathcal{L}, \mathbf{1}) only as its own Unicode character, not through mathvariant: the
// first letter and digit of each alphabet in Unicode's Mathematical Alphanumeric Symbols, and the
// letters that Unicode had already placed among the Letterlike Symbols.
const ALPHABETS = {
  bold: { A: 0x1d400, a: 0x1d41a, 0: 0x1d7ce },
  "double-struck": { A: 0x1d538, a: 0x1d552, 0: 0x1d7d8 },
  script: { A: 0x1d49c, a: 0x1d4b6 },
};
const LETTERLIKE = {
  "double-struck": { C: 0x2102, H: 0x210d, N: 0x2115, P: 0x2119, Q: 0x211a, R: 0x211d, Z: 0x2124 },
  script: { B: 0x212c, E: 0x2130, F: 0x2131, H: 0x210b, I: 0x2110, L: 0x2112, M: 0x2133,
            R: 0x211b, e: 0x212f, g: 0x210a, o: 0x2134 },
};

function inAlphabet(variant, text) {
  return Array.from(text, (c) => {
    const own = (LETTERLIKE[variant] || {})[c];
    if (own) return String.fromCodePoint(own);
    const first = /[A-Z]/.test(c) ? "A" : /[a-z]/.test(c) ? "a" : /[0-9]/.test(c) ? "0" : null;
    const start = first && ALPHABETS[variant][first];
    if (!start) throw new Error(`no ${variant} character for ${c}`);
    return String.fromCodePoint(start + c.charCodeAt(0) - first.charCodeAt(0));
  }).join("");
}

// A prime is a raised glyph of its own: MathJax writes x' as a superscript (x^\prime) and draws
// an alternate glyph there; in MathML Core the superscript would shrink and lift it twice.
const PRIMED =
  /<msup>(<(mi|mn|mo)(?: [^>]*)?>[^<]*<\/\2>)<mo>(&#x2032;|&#x2033;|&#x2034;)<\/mo><\/msup>/g;

function core(mathml) {
  return mathml
    .replace(/>\s+</g, "><") // the serializer's indentation
    .replace(/ data-mjx-[\w-]+="[^"]*"/g, "") // MathJax's notes to itself
    .replace(PRIMED, '<mrow>$1<mo lspace="0" rspace="0">$3</mo></mrow>')
    // \big| ... \Big|: a size of its own, which MathML Core gives only an operator that stretches
    .replace(/<mo( [^>]*)>/g, (whole, attributes) =>
      / minsize=/.test(attributes) && !/ stretchy=/.test(attributes)
        ? `<mo stretchy="true" symmetric="true"${attributes}>` : whole)
    // a table cell's content in one mrow, which assets/course.css aligns in the cell
    .replace(/<mtd([^>]*)>/g, "<mtd$1><mrow>")
    .replace(/<\/mtd>/g, "</mrow></mtd>")
    // \hat and \tilde in the math font's accents, not the keyboard's ^ and ~ (TeX's own names)
    .replace(/<mo stretchy="false">\^<\/mo><\/mover>/g, '<mo stretchy="false">&#x2C6;</mo></mover>')
    .replace(/<mo stretchy="false">~<\/mo><\/mover>/g, '<mo stretchy="false">&#x2DC;</mo></mover>')
    .replace(/<(mi|mn) mathvariant="([\w-]+)">([^<]*)<\/\1>/g, (whole, tag, variant, text) =>
      ALPHABETS[variant] ? `<${tag}>${inAlphabet(variant, decode(text))}</${tag}>` : whole);
}

function decode(text) {
  return text.replace(/&#x([0-9A-F]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)));
}

// What MathML Core and TeX need marked in the tree before the spacing is computed. An accent
// (\hat, \bar, \vec) sits close over its letter only when its <mover> says it is one (MathJax
// marks the accent's operator instead). A fraction is an Inner atom in TeX (The TeXbook, appendix
// G, rule 15e): a thin space between two fractions and between a letter and a fraction, where
// MathJax, which keeps it an ordinary atom, sets two fraction bars side by side, 2 px apart.
function markForCore(node) {
  const over = node.isKind("mover") || node.isKind("munderover") ? node.childNodes[node.over] : null;
  if (over && over.isKind("mo") && over.getProperty("mathaccent")) {
    node.attributes.set("accent", true);
  }
  if (node.isKind("mfrac")) node.texClass = TEXCLASS.INNER;
  (node.childNodes || []).forEach((child) => child && markForCore(child));
  return node;
}

// The spaces TeX puts between a formula's atoms (thin after \log, none around a unary minus or
// between two relations, none in a script), written where MathML Core reads them: an operator's
// lspace and rspace, which replace its operator dictionary's (which knows nothing of TeX's
// classes), and an mspace before an atom that follows no operator. MathJax's HTML output puts
// each node's texSpacing() before it; so here, in every row of the formula.
function texSpacing(node) {
  (node.childNodes || []).forEach((child) => child && texSpacing(child));
  if (!node.isKind("mrow") || isOperatorName(node.parent)) return node;
  const row = [];
  let previous = null;
  for (const child of node.childNodes) {
    const space = child.texSpacing() || "0";
    if (isOperator(child)) {
      setSpace(child.coreMO(), "lspace", space);
      setSpace(child.coreMO(), "rspace", "0");
    } else if (space !== "0" && previous && isOperator(previous)) {
      setSpace(previous.coreMO(), "rspace", space);
    } else if (space !== "0") {
      const gap = node.factory.create("mspace");
      gap.attributes.set("width", length(space));
      gap.parent = node;
      row.push(gap);
    }
    row.push(child);
    previous = child;
  }
  node.childNodes = row;
  return node;
}

// \operatorname{rot180}: one name, set without TeX's space between its letters and its digits
function isOperatorName(node) {
  return node && node.isKind("TeXAtom") && node.texClass === TEXCLASS.OP;
}

// an operator (or an operator with scripts, or a group of one) that its row spaces as a whole
function isOperator(node) {
  return node.isEmbellished && !(node.parent && node.parent.isEmbellished);
}

// MathJax's named spaces (TEXSPACELENGTH), which MathML Core does not know, in eighteenths of em
const SPACES = ["veryverythin", "verythin", "thin", "medium", "thick", "verythick", "veryverythick"];

function length(space) {
  const named = SPACES.indexOf(space.replace(/mathspace$/, ""));
  return named < 0 ? space : `${((named + 1) / 18).toFixed(4)}em`;
}

function setSpace(mo, name, value) {  // a space the TeX gave explicitly stays as it is
  if (!mo.attributes.isSet(name) || mo.getProperty(`course-${name}`)) {
    mo.attributes.set(name, length(value));
    mo.setProperty(`course-${name}`, true);
  }
}

function typesetTree(root) {  // what MathJax's output would do to the tree, for MathML Core
  markForCore(root).setTeXclass(null); // each atom's TeX class, and the class of the atom before
  return texSpacing(root);
}

const formulas = JSON.parse(require("fs").readFileSync(0, "utf8"));
const html = formulas.map(({ tex, display }) =>
  core(visitor.visitTree(typesetTree(doc.convert(tex, { display, end: STATE.CONVERT })))));
process.stdout.write(JSON.stringify({ html }));
