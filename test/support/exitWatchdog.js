/** jest's testResultsProcessor: see openHandles.js. */
module.exports = require('./openHandles').exitWatchdog;
