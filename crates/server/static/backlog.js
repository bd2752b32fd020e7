// Backlog reordering with a mouse (HTML5 drag and drop) or the keyboard (Alt+ArrowUp/Down on a
// focused row), through the JSON API's move endpoint; the page's Top/Up/Down/Bottom buttons do
// the same without this script. Also submits the framework switcher when it changes.
(function () {
  "use strict";

  var switcher = document.querySelector("select[data-autosubmit]");
  if (switcher) {
    switcher.addEventListener("change", function () { switcher.form.submit(); });
  }

  var table = document.getElementById("backlog");
  if (!table || table.dataset.editable !== "true") { return; }
  var status = document.getElementById("backlog-status");
  var body = table.tBodies[0];

  function say(text) { if (status) { status.textContent = text; } }

  // Sends one move; on success reloads the page with the moved row focused.
  function move(itemId, where) {
    var payload = { item_id: itemId };
    Object.keys(where).forEach(function (key) { payload[key] = where[key]; });
    say("Moving…");
    return fetch("/api/v1/products/" + table.dataset.product + "/backlog/move", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": table.dataset.csrf },
      body: JSON.stringify(payload)
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (problem) { say("Not moved: " + (problem.detail || response.status)); });
      }
      sessionStorage.setItem("tandem-backlog-focus", itemId);
      window.location.reload();
    }, function () { say("Not moved: the server could not be reached."); });
  }

  var focusId = sessionStorage.getItem("tandem-backlog-focus");
  if (focusId) {
    sessionStorage.removeItem("tandem-backlog-focus");
    var again = document.getElementById("item-" + focusId);
    if (again) { again.focus(); say("Moved."); }
  }

  var dragged = null;
  body.addEventListener("dragstart", function (event) {
    var row = event.target.closest("tr[data-id]");
    if (!row) { return; }
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.id);
    row.classList.add("dragging");
  });
  body.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
  });
  body.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest("tr[data-id]")) { event.preventDefault(); }
  });
  body.addEventListener("drop", function (event) {
    var target = event.target.closest("tr[data-id]");
    if (!dragged || !target || target === dragged) { return; }
    event.preventDefault();
    // Dropped on the upper half: before the row; on the lower half: after it.
    var box = target.getBoundingClientRect();
    var upper = event.clientY < box.top + box.height / 2;
    move(dragged.dataset.id, upper ? { before_id: target.dataset.id } : { after_id: target.dataset.id });
  });

  body.addEventListener("keydown", function (event) {
    var row = event.target;
    if (!event.altKey || !row.matches || !row.matches("tr[data-id]")) { return; }
    if (event.key === "ArrowUp" && row.previousElementSibling) {
      event.preventDefault();
      move(row.dataset.id, { before_id: row.previousElementSibling.dataset.id });
    } else if (event.key === "ArrowDown" && row.nextElementSibling) {
      event.preventDefault();
      move(row.dataset.id, { after_id: row.nextElementSibling.dataset.id });
    }
  });
})();
