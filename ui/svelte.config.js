// Svelte 5 compiles `<script lang="ts">` itself (type annotations only); no preprocessor.
export default {};
