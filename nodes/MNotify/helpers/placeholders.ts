/**
 * `{{name}}` placeholders of MNotify templates (docs/contract.md §5.2). Pure functions, shared by
 * Send (an item must fill every custom placeholder), Template Preview and the variables mapper.
 */
import { BUILT_IN_PLACEHOLDERS, LANGUAGES, type StoredTexts } from './interfaces';

/** `{{ name }}`: letters, digits, `_`, `.` and `-`, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

const BUILT_INS: ReadonlySet<string> = new Set(BUILT_IN_PLACEHOLDERS);

/** The three texts of a template (or of a request), in any languages. */
export interface TextsWithPlaceholders {
	subject?: StoredTexts;
	body?: StoredTexts;
	bodyShort?: StoredTexts;
}

/** Placeholder names in one text, in order of first appearance, each once. */
export function placeholdersIn(text: string): string[] {
	return unique([...text.matchAll(PLACEHOLDER)].map((match) => match[1]));
}

/**
 * The placeholders the sender must fill: every `{{name}}` in the subject, body and short body, in
 * every language, minus the built-ins MNotify fills per recipient. Names are case-sensitive.
 */
export function customPlaceholders(template: TextsWithPlaceholders): string[] {
	const names: string[] = [];
	for (const texts of [template.subject, template.body, template.bodyShort]) {
		for (const language of LANGUAGES) {
			const text = texts?.[language];
			if (typeof text === 'string') names.push(...placeholdersIn(text));
		}
	}
	return unique(names).filter((name) => !BUILT_INS.has(name));
}

export interface UnfilledPlaceholder {
	name: string;
	/** No variable of that name, or one whose value is empty. */
	reason: 'missing' | 'empty';
}

/**
 * The placeholders a set of variables leaves unfilled. An empty value counts: the citizen would
 * read a gap where the amount or date should be.
 */
export function unfilledPlaceholders(
	placeholders: readonly string[],
	variables: Record<string, unknown>,
): UnfilledPlaceholder[] {
	const unfilled: UnfilledPlaceholder[] = [];
	for (const name of placeholders) {
		if (!Object.hasOwn(variables, name)) {
			unfilled.push({ name, reason: 'missing' });
		} else if (isEmpty(variables[name])) {
			unfilled.push({ name, reason: 'empty' });
		}
	}
	return unfilled;
}

/**
 * The texts with each custom placeholder replaced by its variable, as MNotify renders them; the
 * built-ins (filled per recipient by MNotify) and unknown names are left as they are.
 */
export function fillPlaceholders(
	texts: StoredTexts | undefined,
	variables: Record<string, unknown>,
): StoredTexts | undefined {
	if (!texts) return undefined;
	const filled: StoredTexts = {};
	for (const language of LANGUAGES) {
		const text = texts[language];
		if (typeof text !== 'string') continue;
		filled[language] = text.replace(PLACEHOLDER, (token, name: string) =>
			!BUILT_INS.has(name) && Object.hasOwn(variables, name) ? String(variables[name]) : token,
		);
	}
	return filled;
}

/** "{{dueDate}} (no variable), {{amount}} (empty)": for messages. */
export function describeUnfilled(unfilled: readonly UnfilledPlaceholder[]): string {
	return unfilled
		.map(({ name, reason }) => `{{${name}}} (${reason === 'missing' ? 'no variable' : 'empty'})`)
		.join(', ');
}

function isEmpty(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function unique(names: string[]): string[] {
	return [...new Set(names)];
}
