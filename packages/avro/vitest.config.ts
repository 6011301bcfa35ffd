import { defineProject } from 'vitest/config';
import { siphonProject } from '../../vitest.shared.js';

export default defineProject(siphonProject(import.meta.dirname));
