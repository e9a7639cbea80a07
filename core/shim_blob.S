/* core/shim_blob.S - the in-guest shim (libc-shim/, built as a flat blob linked at
 * SHIM_TEXT) embedded in the supervisor: shim_blob[shim_blob_size]. */
	.section .rodata
	.globl shim_blob, shim_blob_size
	.balign 64
shim_blob:
	.incbin SHIM_BIN
shim_blob_end:
	.balign 8
shim_blob_size:
	.quad shim_blob_end - shim_blob
	.section .note.GNU-stack, "", @progbits
