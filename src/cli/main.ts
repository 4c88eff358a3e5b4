#!/usr/bin/env node
import { buildProgram } from './program.js';
import { protectUsageOutput, reportError } from './run.js';

try {
  await protectUsageOutput(buildProgram()).parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}
