import {
	customPlaceholders,
	describeUnfilled,
	placeholdersIn,
	unfilledPlaceholders,
} from '../../nodes/MNotify/helpers/placeholders';

describe('template placeholders', () => {
	it('finds each {{name}} once, in order, spaces inside the braces allowed', () => {
		expect(placeholdersIn('{{a}} {{ b }} {{a}} {c} {{d.e-f_1}} {{}} {{ g h }}')).toEqual([
			'a',
			'b',
			'd.e-f_1',
		]);
	});

	it('collects the custom placeholders of subject, body and short body in every language', () => {
		const template = {
			subject: { ro: 'Plată la {{dueDate}}', en: 'Due {{dueDate}} for {{service}}' },
			body: { ro: 'Stimate {{RecipientFirstName}} {{RecipientLastName}}, {{amount}} lei' },
			bodyShort: { ro: '{{IDNP}} {{IDNO}} {{Date}} {{Time}} {{amount}}', ru: 42 },
		};
		expect(customPlaceholders(template)).toEqual(['dueDate', 'service', 'amount']);
	});

	it('matches names case-sensitively: {{date}} is not the built-in {{Date}}', () => {
		expect(customPlaceholders({ subject: { ro: '{{date}} {{Date}}' } })).toEqual(['date']);
	});

	it('tolerates a template without texts', () => {
		expect(customPlaceholders({})).toEqual([]);
	});

	it('counts a missing variable and an empty one as unfilled, but not 0 or false', () => {
		const unfilled = unfilledPlaceholders(['a', 'b', 'c', 'd', 'e', 'f', 'g'], {
			b: '',
			c: '  ',
			d: null,
			e: 0,
			f: false,
			g: 'x',
		});
		expect(unfilled).toEqual([
			{ name: 'a', reason: 'missing' },
			{ name: 'b', reason: 'empty' },
			{ name: 'c', reason: 'empty' },
			{ name: 'd', reason: 'empty' },
		]);
		expect(describeUnfilled(unfilled.slice(0, 2))).toBe('{{a}} (no variable), {{b}} (empty)');
	});

	it('does not take inherited properties for variables', () => {
		expect(unfilledPlaceholders(['toString'], {})).toEqual([
			{ name: 'toString', reason: 'missing' },
		]);
	});
});
