import { killSuite } from './faults-kill.js';

killSuite('sqlite');
