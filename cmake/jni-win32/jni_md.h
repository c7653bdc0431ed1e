/*
 * The machine-dependent part of <jni.h> for Windows x86-64, for cross-compiling the JNI library with
 * mingw-w64 on a Linux JDK (whose include/ has only the Linux variant). The ABI facts: exported functions
 * use dllexport, JNICALL is __stdcall (ignored on x86-64), jint is 32 bits (long is 32 bits on Windows),
 * jlong 64 bits. The include guard is the JDK's own, so whichever jni_md.h comes first is the only one.
 * Used only by scripts/build-platform.sh windows-x86_64.
 */
#ifndef _JAVASOFT_JNI_MD_H_
#define _JAVASOFT_JNI_MD_H_

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef long jint;
typedef long long jlong;
typedef signed char jbyte;

#endif /* _JAVASOFT_JNI_MD_H_ */
