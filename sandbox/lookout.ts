#!/usr/bin/env node
/** The `lookout` command. */
import { main } from './cli.js';

process.exit(await main(process.argv.slice(2)));
