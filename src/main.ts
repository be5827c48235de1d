import * as core from '@actions/core';

/** The action's entry point: the only place that touches @actions/core and process state. */
export async function run(): Promise<void> {
  core.setFailed('not implemented yet');
}
