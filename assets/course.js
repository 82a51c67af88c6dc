// Loaded without `defer`, so it runs before the deferred scripts (MathJax).
// (The theme's Font Awesome script, which broke ipywidgets' Play button, is not loaded at all:
// the icons are font glyphs, see course.css.)

// The ipywidgets HTML manager typesets widget labels with the MathJax 2 call
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the site serves MathJax 3. Give MathJax 3
// that one call, both in the configuration (before MathJax loads) and once it is ready.
(function () {
  const hub = {
    Queue: function (command) {
      const element = command[2];
      const ready = window.MathJax.startup && window.MathJax.startup.promise;
      Promise.resolve(ready).then(function () {
        if (window.MathJax.typesetPromise) { window.MathJax.typesetPromise([element]); }
      });
    },
  };
  window.MathJax = window.MathJax || {};
  window.MathJax.Hub = hub;
  const startup = window.MathJax.startup = window.MathJax.startup || {};
  const ready = startup.ready;
  startup.ready = function () {
    if (ready) { ready(); } else { window.MathJax.startup.defaultReady(); }
    window.MathJax.Hub = hub;
  };
})();
