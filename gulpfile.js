const { parallel, src, dest } = require('gulp');

// tsc only emits JavaScript. n8n resolves `file:` icon paths relative to the built files and
// reads each node's codex (*.node.json) next to it.
function copyIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

function copyCodex() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports['build:icons'] = parallel(copyIcons, copyCodex);
