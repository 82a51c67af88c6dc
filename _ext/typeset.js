// Typesets TeX into MathJax's CommonHTML markup at build time, so pages need no MathJax script.
// Input (stdin): JSON [{"tex": "...", "display": true}, ...]. Output (stdout): JSON
// {"html": ["<mjx-container ...>", ...], "css": "the stylesheet for exactly these formulas"};
// the css names its fonts under FONT_URL, which the caller replaces with the page's own path.
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { CHTML } = require("mathjax-full/js/output/chtml.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AssistiveMmlHandler } = require("mathjax-full/js/a11y/assistive-mml.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor)); // hidden MathML for screen readers
// Every package MathJax's browser build would load (some on demand, through autoload), but not
// textmacros, which the browser build leaves out too (with it, \text{max_norm} is an error).
const skip = ["bussproofs", "noerrors", "textmacros"];
const packages = AllPackages.filter((name) => !skip.includes(name));
const doc = mathjax.document("", {
  InputJax: new TeX({ packages, formatError: (jax, error) => jax.formatError(error) }),
  // In a browser MathJax scales the math to the x-height of the text around it; the theme's sans
  // fonts' x-height is about 1.2 times that of MathJax's TeX font.
  OutputJax: new CHTML({ fontURL: "FONT_URL", adaptiveCSS: true, scale: 1.2, matchFontHeight: false }),
});
const formulas = JSON.parse(require("fs").readFileSync(0, "utf8"));
const html = formulas.map(({ tex, display }) =>
  adaptor.outerHTML(doc.convert(tex, { display })));
const css = adaptor.textContent(doc.outputJax.styleSheet(doc));
process.stdout.write(JSON.stringify({ html, css }));
