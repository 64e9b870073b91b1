/* Customer dashboard: small enhancements over pages that work without it.
 * - a period <select data-autosubmit> submits its form on change;
 * - live updates: asks /calls/changes (ETag / 304) every 15 seconds and,
 *   when something changed, refreshes the [data-live-region] parts of the
 *   page from the same address, unless the user is working inside one
 *   (focus or ticked boxes), in which case it offers a refresh instead. */
(function () {
	"use strict";

	document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
		s.addEventListener("change", function () { s.form.submit(); });
	});

	var regions = document.querySelectorAll("[data-live-region]");
	if (!regions.length || !window.fetch)
		return;
	var etag = null;
	var INTERVAL = 15000;

	function clock() {
		return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
	}

	function note(text) {
		document.querySelectorAll("[data-live-note]").forEach(function (n) { n.textContent = text; });
	}

	function busy(region) {
		return region.contains(document.activeElement) && document.activeElement !== document.body ||
			region.querySelector("input[type=checkbox]:checked, textarea:not(:placeholder-shown)") !== null;
	}

	function offerReload() {
		document.querySelectorAll("[data-live-note]").forEach(function (n) {
			n.textContent = "There are new changes. ";
			var b = document.createElement("button");
			b.type = "button";
			b.className = "btn btn-secondary btn-small";
			b.textContent = "Show them";
			b.addEventListener("click", function () { location.reload(); });
			n.appendChild(b);
		});
	}

	function refresh() {
		for (var i = 0; i < regions.length; i++)
			if (busy(regions[i]))
				return offerReload();
		fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
			.then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
			.then(function (html) {
				var doc = new DOMParser().parseFromString(html, "text/html");
				regions.forEach(function (old) {
					var fresh = doc.getElementById(old.id);
					if (fresh)
						old.replaceWith(document.importNode(fresh, true));
				});
				regions = document.querySelectorAll("[data-live-region]");
			})
			.catch(function () { note("Could not refresh; will try again."); });
	}

	function poll() {
		var headers = { "Accept": "application/json" };
		if (etag)
			headers["If-None-Match"] = etag;
		fetch("/calls/changes", { credentials: "same-origin", headers: headers, cache: "no-store" })
			.then(function (r) {
				if (r.status === 304) {
					note("Checked " + clock() + ": no changes.");
					return;
				}
				if (!r.ok)
					throw new Error(r.status);
				var tag = r.headers.get("ETag");
				if (etag !== null && tag !== etag)
					refresh();
				etag = tag;
			})
			.catch(function () { note("Live updates paused: the server could not be reached."); })
			.then(function () { setTimeout(poll, INTERVAL); });
	}
	poll();
})();
