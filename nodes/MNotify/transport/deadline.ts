/**
 * The signal one request attempt runs under: it aborts when the attempt's deadline passes
 * (connecting, sending, the answer's headers and its whole body, not each chunk on its own) or,
 * when given, when the execution is stopped.
 */
export class AttemptDeadline {
	readonly signal: AbortSignal;
	private expired = false;
	private readonly controller = new AbortController();
	private readonly timer: ReturnType<typeof setTimeout>;
	private readonly onStop = () => this.controller.abort(new Error('The execution was stopped'));

	constructor(
		timeoutMs: number,
		private readonly stopSignal?: AbortSignal,
	) {
		this.signal = this.controller.signal;
		this.timer = setTimeout(() => {
			this.expired = true;
			this.controller.abort(new Error(`No complete answer within ${timeoutMs} ms`));
		}, timeoutMs);
		if (stopSignal?.aborted) this.onStop();
		else stopSignal?.addEventListener('abort', this.onStop, { once: true });
	}

	/** The attempt ran out of time (as opposed to being stopped). */
	get timedOut(): boolean {
		return this.expired;
	}

	get stopped(): boolean {
		return this.stopSignal?.aborted === true && !this.expired;
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.stopSignal?.removeEventListener('abort', this.onStop);
	}
}
