/* The widgets' controls for a keyboard and a screen reader. ipywidgets 8's HTML manager renders
   them without accessible names (the play buttons are bare icons, a slider's label is not tied
   to its handle), a slider announces its index rather than the option shown, its readout is an
   editable box in the Tab order, and a toggle group is a Tab stop per button with no arrow keys.
   This script, loaded only on the pages that have widgets (nb_ipywidgets_js in _config.yml),
   completes each control as the manager renders it:

   - a slider's handle is named by the control's label and announces the option shown (the
     readout's text); the readout stays on screen but leaves the Tab order (inert): the handle's
     arrow keys move the slider;
   - a toggle group is a radio group named by its label: one Tab stop (the chosen option), the
     arrow keys (and Home, End) choose another;
   - a play control's buttons are named in the page's language (linked.play puts the names beside
     it, drawn from the figures' catalogue), play and repeat say whether they are on, and Escape
     pauses it (Space or Enter on play pauses as well: it is a toggle).

   Everything reads the state the widget views show (classes, readout), so it follows a change made
   by any control, or by the play button. */
(function () {
  "use strict";

  let labels = 0;

  /** The id of a control's visible label (its description), given one if it has none. */
  function labelId(view) {
    const label = view.querySelector(":scope > .widget-label");
    if (!label || !label.textContent.trim()) {
      return null;
    }
    label.id = label.id || "linked-label-" + ++labels;
    return label.id;
  }

  /** Calls `sync` now and whenever the classes under `root` change (a view shows a new state). */
  function follow(root, sync) {
    sync();
    new MutationObserver(sync).observe(root, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["class"],
    });
  }

  // Each maker completes a control's view, or returns false if the view is not complete yet (the
  // manager renders a figure's views one by one: it is tried again at the next change).

  function slider(view) {
    const target = view.querySelector(".noUi-target");
    const handle = view.querySelector(".noUi-handle");
    const readout = view.querySelector(".widget-readout");
    if (!target || !target.noUiSlider || !handle || !readout) {
      return false;
    }
    const id = labelId(view);
    if (id) {
      handle.setAttribute("aria-labelledby", id);
    }
    readout.inert = true;
    const announce = function () {
      handle.setAttribute("aria-valuetext", readout.textContent);
    };
    // after noUiSlider's own "update" listener, which sets aria-valuetext to the index, and the
    // view's, which writes the option into the readout
    target.noUiSlider.on("update.a11y", announce);
    announce();
    return true;
  }

  const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  function toggles(view) {
    const group = view.querySelector(":scope > div");
    if (!group) {
      return false;
    }
    const buttons = function () {
      return Array.from(group.querySelectorAll(":scope > button"));
    };
    group.setAttribute("role", "radiogroup");
    const id = labelId(view);
    if (id) {
      group.setAttribute("aria-labelledby", id);
    }
    follow(group, function () {
      const all = buttons();
      const chosen = all.find((b) => b.classList.contains("mod-active")) || all[0];
      all.forEach(function (button) {
        button.setAttribute("role", "radio");
        button.setAttribute("aria-checked", String(button.classList.contains("mod-active")));
        button.tabIndex = button === chosen ? 0 : -1;
      });
    });
    group.addEventListener("keydown", function (event) {
      const all = buttons();
      const at = all.indexOf(event.target);
      let next;
      if (event.key in STEPS) {
        next = all[(at + STEPS[event.key] + all.length) % all.length];
      } else if (event.key === "Home" || event.key === "End") {
        next = event.key === "Home" ? all[0] : all[all.length - 1];
      }
      if (at < 0 || !next || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      event.preventDefault();
      next.focus();
      next.click();
    });
    return true;
  }

  function player(view) {
    const [play, stop, repeat] = view.querySelectorAll(":scope > button");
    const carrier = view.parentElement && view.parentElement.querySelector(".linked-play-names");
    if (!repeat || !carrier) {
      return false;
    }
    const names = carrier.dataset;
    play.setAttribute("aria-label", names.play);
    stop.setAttribute("aria-label", names.stop);
    repeat.setAttribute("aria-label", names.repeat);
    const playing = function () {
      return play.querySelector(".fa-pause") !== null;
    };
    follow(view, function () {
      play.setAttribute("aria-pressed", String(playing()));
      repeat.setAttribute("aria-pressed", String(repeat.classList.contains("mod-active")));
    });
    // the play row (this control and its slider): Escape pauses whichever of them has focus
    view.parentElement.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && playing()) {
        event.preventDefault();
        play.click();
      }
    });
    return true;
  }

  const CONTROLS = [
    [".widget-slider", slider],
    [".widget-toggle-buttons", toggles],
    [".widget-play", player],
  ];

  /** Completes every control rendered since the last call (each once: marked data-a11y). */
  function complete() {
    CONTROLS.forEach(function ([selector, make]) {
      document.querySelectorAll(`.linked-figure ${selector}:not([data-a11y])`).forEach((view) => {
        if (make(view)) {
          view.dataset.a11y = "";
        }
      });
    });
  }

  function start() {
    complete();
    // the manager renders the widgets after the page has loaded, each view as its model arrives
    new MutationObserver(complete).observe(document.body, { childList: true, subtree: true });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
