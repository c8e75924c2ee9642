# Seed 000 ("如何使用assistant API (in code)"): the tutorial's code as its readers run it.
# Kept verbatim apart from formatting; only the assistant creation (a syntax error in the post)
# is left out, as readers made theirs in the Playground.
# ruff: noqa
# type: ignore
import openai  # openai是必要的
from dotenv import find_dotenv, load_dotenv  # 為了讀取apikey
import os
import time
import logging
from datetime import datetime


load_dotenv()
APIKEY = os.getenv("OPENAI_API_KEY")  # APIKEY寫在.env檔案當中
client = openai.OpenAI(api_key=APIKEY)


def start_conversation(assistant_id, filepath, prompt_txt):
    # 建立thread（對話串）
    thread = client.beta.threads.create()

    # 將檔案上傳至OPENAI
    message_file = client.files.create(
        file=filepath,  # 要上傳的檔案路徑
        purpose="assistants",
    )
    file_id = message_file.id

    message = client.beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content=prompt_txt,
        attachments=[{"file_id": file_id, "tools": [{"type": "file_search"}]}],
    )

    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant_id)
    return thread, message, run


def wait_for_run_completion(client, thread_id, run_id, file_no, output_folder, sleep_interval=5):
    """

    Waits for a run to complete and prints the elapsed time.:param client: The OpenAI client object.
    :param thread_id: The ID of the thread.
    :param run_id: The ID of the run.
    :param sleep_interval: Time in seconds to wait between checks.
    """

    start_time = time.time()  # 計時開始
    timeout = 5 * 60  # 超過5分鐘就跳下一個
    while True:
        if time.time() - start_time > timeout:
            print(f"Processing for file {file_no} exceeded 5 minutes. Skipping this file.")

            # 超過時間，先將thread.id和run.id儲存下來，日後再試
            output_folder = "api evaluation results"
            os.makedirs(output_folder, exist_ok=True)
            fail_filename = f"{file_no}_fail.txt"  # 使用 file number 生成失败的文件名
            fail_output_path = os.path.join(output_folder, fail_filename)

            with open(fail_output_path, "w", encoding="utf-8") as f:
                f.write(f"File no: {file_no}\n")
                f.write(f"Thread ID: {thread_id}\n")
                f.write(f"Run ID: {run_id}\n")

            print(f"Failure details saved to {fail_output_path}")
            return  # 跳過這一輪
        try:
            run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
            if run.completed_at:
                elapsed_time = run.completed_at - run.created_at
                formatted_elapsed_time = time.strftime("%H:%M:%S", time.gmtime(elapsed_time))
                print(f"Run completed in {formatted_elapsed_time}")
                logging.info(f"Run completed in {formatted_elapsed_time}")
                # Get messages here once Run is completed!
                messages = client.beta.threads.messages.list(thread_id=thread_id)  # 會獲得這個thread裡所有的messages
                last_message = messages.data[0]
                response = last_message.content[0].text.value
                print(f"Assistant Response: {response}")

                # 將完成時間和response輸出到"api evaluation results"資料夾中
                output_folder = output_folder
                os.makedirs(output_folder, exist_ok=True)
                filename = f"{file_no}.txt"  # 使用 file number 作為檔名
                output_path = os.path.join(output_folder, filename)

                with open(output_path, "w", encoding="utf-8") as f:
                    # 第一行寫入完成時間
                    f.write(f"Run completed in {formatted_elapsed_time}\n")
                    # 第二行開始寫入response的內容
                    f.write(response)

                print(f"Response saved to {output_path}")
                break
        except Exception as e:
            logging.error(f"An error occurred while retrieving the run: {e}")
            break
        logging.info("Waiting for run to complete...")
        time.sleep(sleep_interval)
