/* qingliu 清流 dashboard: draw every ECharts chart of the page from its JSON option.
   A chart element names its option with data-option="<id of a script type=application/json>".
   Points that carry "href" are links (map: a section opens its page); points that carry "tip"
   (lines of plain text) show it as their tooltip. No external resources: works offline. */
(function () {
  "use strict";
  var script = document.getElementById("qingliu-js");
  var locale = (script && script.getAttribute("data-locale")) || "ZH";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function tipFormatter(params) {
    var data = params.data || {};
    var lines = data.tip || [params.name];
    return lines.map(escapeHtml).join("<br>");
  }

  // charts use the page's font, so Chinese labels look the same as the text around them
  var fontFamily = window.getComputedStyle(document.body).fontFamily;
  var charts = [];
  document.querySelectorAll("[data-option]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-option"));
    if (!source || typeof echarts === "undefined") { return; }
    var option = JSON.parse(source.textContent);
    if (option.tooltip && option.tooltip.formatter === "tip") { option.tooltip.formatter = tipFormatter; }
    option.textStyle = Object.assign({ fontFamily: fontFamily }, option.textStyle || {});
    var chart = echarts.init(el, null, { locale: locale });
    chart.setOption(option);
    chart.on("click", function (params) {
      var href = params.data && params.data.href;
      if (href && href.charAt(0) === "/") { window.location.href = href; }
    });
    el.setAttribute("data-rendered", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
