import { pgRestartSuite } from './faults-pg-restart.js';

pgRestartSuite('immediate');
