import { describe, expect, it } from '@jest/globals';
import { describeFailure, failureLine } from '../../src/report/failure.js';

class HintedError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

describe('describeFailure', () => {
  it('joins the message and the hint into one line', () => {
    const failure = describeFailure(
      new HintedError('create upload job: 401 unauthorized.', 'Check the `api-key`.'),
    );
    expect(failure).toEqual({
      message: 'create upload job: 401 unauthorized.',
      hint: 'Check the `api-key`.',
    });
    expect(failureLine(failure)).toBe('create upload job: 401 unauthorized. Check the `api-key`.');
  });

  it('takes the hint of the error that ended an interrupted upload', () => {
    const cause = new HintedError('append chunk 2: 403 forbidden', 'Check the key has access.');
    const failure = describeFailure(new Error('upload interrupted', { cause }));
    expect(failure.hint).toBe('Check the key has access.');
  });

  it('copes with errors without a hint and with non-errors', () => {
    expect(failureLine(describeFailure(new Error('boom')))).toBe('boom');
    expect(failureLine(describeFailure('plain text'))).toBe('plain text');
  });
});
