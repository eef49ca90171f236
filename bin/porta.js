#!/usr/bin/env node
import '../dist/cmd/index.js';
