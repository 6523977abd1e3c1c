/* The run page's DAG, drawn as an SVG graph laid out by dagre (static/vendor).
 *
 * Reads the run from the page (the JSON block #run-data, the API's answer as
 * the server rendered it; else from the API URL on the container's data-api
 * attribute, same origin), draws one box per step (class and data-status = the step's status,
 * dashed and marked when cached, its duration, a link to the step's page) and
 * an arrow from each step to the steps that read its outputs. Once drawn, the
 * server-rendered list (.dag-list) is hidden; it stays if anything fails.
 * While the run is running, the API is read again every 2 s: statuses, the
 * run's badge and duration follow without a reload; polling stops when the
 * run has finished. Text is only ever set as text (never parsed as HTML).
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var NODE_WIDTH = 196;
  var NODE_HEIGHT = 50;
  var POLL_MS = 2000;
  var MAX_LABEL = 24;
  var MIN_FIT = 0.6;  // fitting a big graph never shrinks it further: text stays legible

  function make(name, attributes, parent) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) {
      element.setAttribute(key, String(attributes[key]));
    });
    if (parent) parent.appendChild(element);
    return element;
  }

  function text(parent, x, y, className, value) {
    var element = make("text", { x: x, y: y, "class": className }, parent);
    element.textContent = value;
    return element;
  }

  /* As the pages' secs filter: 1.234s, or 2m05s from a minute on. */
  function seconds(value) {
    if (value === null || value === undefined) return "";
    if (value < 60) return value.toFixed(3) + "s";
    var whole = Math.floor(value);
    var rest = whole % 60;
    return Math.floor(whole / 60) + "m" + (rest < 10 ? "0" : "") + rest + "s";
  }

  function shorten(value) {
    return value.length > MAX_LABEL ? value.slice(0, MAX_LABEL - 1) + "\u2026" : value;
  }

  function nodeDetail(node) {
    var parts = [node.status];
    if (node.duration !== null && node.duration !== undefined && !node.cached) {
      parts.push(seconds(node.duration));
    }
    return parts.join(" \u00b7 ");
  }

  function nodeTitle(node) {
    var lines = [node.name + " (" + node.entrypoint + ")", nodeDetail(node)];
    if (node.error) lines.push(node.error);
    return lines.join("\n");
  }

  /* A smooth path through dagre's edge points (quadratic bends at inner points). */
  function edgePath(points) {
    var d = "M" + points[0].x + "," + points[0].y;
    for (var i = 1; i < points.length - 1; i++) {
      var next = points[i + 1];
      var midX = (points[i].x + next.x) / 2;
      var midY = (points[i].y + next.y) / 2;
      d += " Q" + points[i].x + "," + points[i].y + " " + midX + "," + midY;
    }
    var last = points[points.length - 1];
    return d + " L" + last.x + "," + last.y;
  }

  function Graph(container) {
    this.container = container;
    this.api = container.getAttribute("data-api");
    this.runUrl = container.getAttribute("data-run-url");
    this.list = document.querySelector(".dag-list");
    this.badge = document.querySelector("[data-run-status]");
    this.duration = document.querySelector("[data-run-duration]");
    this.boxes = {};
    this.shape = "";
    this.scale = 1;
    this.size = null;
  }

  /* Zoom buttons above the graph (only when it does not fit its box). */
  Graph.prototype.toolbar = function () {
    if (this.tools) return this.tools;
    var self = this;
    var tools = document.createElement("div");
    tools.className = "dag-tools";
    [["out", "\u2212", "Zoom out"], ["fit", "Fit", "Fit the width"], ["in", "+", "Zoom in"]]
      .forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "zoom";
        button.setAttribute("data-zoom", spec[0]);
        button.title = spec[2];
        button.textContent = spec[1];
        button.addEventListener("click", function () { self.zoom(spec[0]); });
        tools.appendChild(button);
      });
    this.container.parentNode.insertBefore(tools, this.container);
    this.tools = tools;
    return tools;
  };

  Graph.prototype.fitScale = function () {
    var room = this.container.clientWidth - 8;
    return Math.max(Math.min(1, room / this.size.width), MIN_FIT);
  };

  Graph.prototype.zoom = function (how) {
    if (how === "fit") this.scale = this.fitScale();
    else this.scale = Math.min(2, Math.max(0.2, this.scale * (how === "in" ? 1.25 : 0.8)));
    this.applyScale();
  };

  Graph.prototype.applyScale = function () {
    var svg = this.container.querySelector("svg.dag");
    if (!svg) return;
    svg.setAttribute("width", String(Math.ceil(this.size.width * this.scale)));
    svg.setAttribute("height", String(Math.ceil(this.size.height * this.scale)));
    this.container.setAttribute("data-scale", this.scale.toFixed(2));
  };

  Graph.prototype.fetchRun = function () {
    return fetch(this.api, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  };

  /* Nodes and edges, as a key: a change means laying out again. */
  Graph.prototype.shapeOf = function (run) {
    return JSON.stringify([
      run.nodes.map(function (n) { return n.name; }),
      run.edges.map(function (e) { return [e.source, e.target]; })
    ]);
  };

  Graph.prototype.draw = function (run) {
    this.boxes = {};
    this.shape = this.shapeOf(run);
    if (!run.nodes.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "No steps recorded yet.";
      this.container.replaceChildren(empty);
      this.container.setAttribute("data-drawn", "0");
      return;
    }
    var layout = new dagre.graphlib.Graph({ multigraph: false });
    // network-simplex ranks best; tight-tree is ~3x faster on big graphs (200 steps).
    layout.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 56, edgesep: 8,
                      marginx: 12, marginy: 12,
                      ranker: run.nodes.length > 60 ? "tight-tree" : "network-simplex" });
    layout.setDefaultEdgeLabel(function () { return {}; });
    run.nodes.forEach(function (node) {
      layout.setNode(node.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
    });
    var inputs = {};
    run.edges.forEach(function (edge) {
      var key = edge.source + "\u0000" + edge.target;
      (inputs[key] = inputs[key] || []).push(edge.input);
      layout.setEdge(edge.source, edge.target);
    });
    var started = performance.now();
    dagre.layout(layout);
    var laidOut = performance.now();

    var size = layout.graph();
    var width = Math.ceil(size.width || 0);
    var height = Math.ceil(size.height || 0);
    var svg = make("svg", {
      "class": "dag", width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": "The run's steps and the artifacts between them"
    });
    var defs = make("defs", {}, svg);
    var marker = make("marker", {
      id: "dag-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
      markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"
    }, defs);
    make("path", { d: "M0,0 L10,5 L0,10 z", "class": "arrow-head" }, marker);

    var edges = make("g", { "class": "edges" }, svg);
    layout.edges().forEach(function (e) {
      var path = make("path", { d: edgePath(layout.edge(e).points), "class": "edge",
                                "marker-end": "url(#dag-arrow)",
                                "data-source": e.v, "data-target": e.w }, edges);
      var title = make("title", {}, path);
      title.textContent = e.v + " \u2192 " + e.w + " (" +
        (inputs[e.v + "\u0000" + e.w] || []).join(", ") + ")";
    });

    var nodes = make("g", { "class": "nodes" }, svg);
    var self = this;
    run.nodes.forEach(function (node) {
      var place = layout.node(node.name);
      var group = make("g", {
        transform: "translate(" + (place.x - NODE_WIDTH / 2) + "," +
                   (place.y - NODE_HEIGHT / 2) + ")"
      }, nodes);
      group.setAttribute("data-step", node.name);
      var link = make("a", { href: self.runUrl + "/steps/" + encodeURIComponent(node.name) },
                      group);
      var title = make("title", {}, link);
      make("rect", { "class": "box", width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6, ry: 6 }, link);
      make("rect", { "class": "stripe", width: 6, height: NODE_HEIGHT - 2, x: 1, y: 1,
                     rx: 3, ry: 3 }, link);
      text(link, 16, 21, "label", shorten(node.name));
      var detail = text(link, 16, 39, "detail", "");
      self.boxes[node.name] = { group: group, title: title, detail: detail };
      self.paint(node);
    });

    this.container.replaceChildren(svg);
    this.container.setAttribute("data-drawn", String(run.nodes.length));
    // For benchmarks: how long dagre's layout and building the SVG took (ms).
    this.container.setAttribute("data-layout-ms", (laidOut - started).toFixed(1));
    this.container.setAttribute("data-draw-ms", (performance.now() - laidOut).toFixed(1));
    var first = this.size === null;  // a redraw (new steps) keeps the zoom and scroll
    this.size = { width: width, height: height };
    if (first) this.scale = this.fitScale();
    this.applyScale();
    var big = width * MIN_FIT > this.container.clientWidth ||
              height * this.scale > this.container.clientHeight;
    if (big) this.toolbar().hidden = false;
    else if (this.tools) this.tools.hidden = true;
    if (first) {  // show where the run starts: its first step, scrolled to mid-height
      var start = layout.node(run.nodes[0].name);
      this.container.scrollTop = Math.max(0, start.y * this.scale -
                                          this.container.clientHeight / 2);
    }
  };

  /* A node's status, cached mark, duration and tooltip (no layout). */
  Graph.prototype.paint = function (node) {
    var box = this.boxes[node.name];
    box.group.setAttribute("class", "node " + node.status + (node.cached ? " is-cached" : ""));
    box.group.setAttribute("data-status", node.status);
    box.detail.textContent = nodeDetail(node);
    box.title.textContent = nodeTitle(node);
  };

  Graph.prototype.update = function (run) {
    if (this.shapeOf(run) !== this.shape) {
      this.draw(run);
    } else {
      run.nodes.forEach(this.paint, this);
    }
    if (this.badge) {
      this.badge.textContent = run.status;
      this.badge.className = "badge " + run.status;
      this.badge.setAttribute("data-run-status", run.status);
    }
    if (this.duration) this.duration.textContent = seconds(run.duration);
    if (run.error && !document.querySelector(".run-error")) {
      var error = document.createElement("pre");
      error.className = "error run-error";
      error.textContent = run.error;
      var facts = document.querySelector(".facts");
      if (facts) facts.insertAdjacentElement("afterend", error);
    }
    this.container.setAttribute("data-status", run.status);
  };

  Graph.prototype.poll = function () {
    var self = this;
    window.setTimeout(function () {
      self.fetchRun().then(function (run) {
        self.update(run);
        if (run.status === "running") self.poll();
      }, function () {
        self.poll();  // the server may be restarting: try again
      });
    }, POLL_MS);
  };

  Graph.prototype.start = function () {
    var self = this;
    if (typeof dagre === "undefined" || typeof fetch === "undefined") return;
    this.container.hidden = false;
    if (this.list) this.list.hidden = true;
    var embedded = document.getElementById("run-data");
    var first = embedded
      ? Promise.resolve().then(function () { return JSON.parse(embedded.textContent); })
      : this.fetchRun();
    first.then(function (run) {
      self.update(run);
      if (run.status === "running") self.poll();
    }).catch(function () {
      self.container.hidden = true;
      if (self.list) self.list.hidden = false;
    });
  };

  function main() {
    var container = document.querySelector(".dag-graph[data-api]");
    if (container) new Graph(container).start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", main);
  } else {
    main();
  }
})();
