const { src, dest } = require('gulp');

// tsc does not copy the SVG icons; n8n resolves `file:` icon paths relative to the built node files.
function copyIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

exports['build:icons'] = copyIcons;
