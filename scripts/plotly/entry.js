// 邻里工作台's plotly.js: the core (which carries scatter) and bar, the only trace types
// workbench/owner/charts.py and workbench/commission/owner_page.py draw.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar')]);
module.exports = Plotly;
