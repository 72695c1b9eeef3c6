/** Collects ASP.NET-style field errors ("Recipients[0].Value" → messages) during validation. */
import { type FieldErrors, validationProblem } from '../responses';

export class FieldErrorCollector {
	private readonly errors: FieldErrors = {};

	add(path: string, message: string): void {
		(this.errors[path] ??= []).push(message);
	}

	get isEmpty(): boolean {
		return Object.keys(this.errors).length === 0;
	}

	/** Throws the 400 ProblemDetails if anything was collected. */
	throwIfAny(): void {
		if (!this.isEmpty) throw validationProblem(this.errors);
	}
}

export function requiredMessage(path: string): string {
	const field = path.split('.').pop() ?? path;
	return `The ${field.replace(/\[\d+\]$/, '')} field is required.`;
}

export function isNonBlankString(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '';
}
