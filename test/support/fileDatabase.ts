import { useFileDatabase } from './testDatabases';

useFileDatabase();
