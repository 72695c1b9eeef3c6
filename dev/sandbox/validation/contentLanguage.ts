/** Validation of ContentLanguage objects: `{ ro (required), ru?, en? }`. */
import type { ContentLanguage } from '../model';
import { isPlainObject } from '../wire';
import { type FieldErrorCollector, isNonBlankString, requiredMessage } from './fieldErrors';

const LANGUAGES = ['ro', 'ru', 'en'] as const;

export interface ContentLanguageRules {
	required: boolean;
	maxLength?: number;
}

function languagePath(path: string, language: string): string {
	return `${path}.${language[0].toUpperCase()}${language.slice(1)}`;
}

export function readContentLanguage(
	value: unknown,
	path: string,
	errors: FieldErrorCollector,
	rules: ContentLanguageRules,
): ContentLanguage | undefined {
	if (value === undefined || value === null) {
		if (rules.required) errors.add(path, requiredMessage(path));
		return undefined;
	}
	if (!isPlainObject(value)) {
		errors.add(path, `${path} must be an object of texts per language: { "ro", "ru", "en" }.`);
		return undefined;
	}

	const content: Partial<ContentLanguage> = {};
	for (const language of LANGUAGES) {
		const text = value[language];
		const textPath = languagePath(path, language);
		if (text === undefined || text === null) continue;
		if (typeof text !== 'string') {
			errors.add(textPath, `${textPath} must be a string.`);
			continue;
		}
		if (rules.maxLength !== undefined && text.length > rules.maxLength) {
			errors.add(
				textPath,
				`The field ${textPath} must be a string with a maximum length of ${rules.maxLength} (it has ${text.length}).`,
			);
		}
		content[language] = text;
	}
	const roPath = languagePath(path, 'ro');
	const ro = value.ro;
	if (ro === undefined || ro === null || (typeof ro === 'string' && ro.trim() === '')) {
		errors.add(roPath, requiredMessage(roPath));
	}
	return isNonBlankString(content.ro) ? (content as ContentLanguage) : undefined;
}
