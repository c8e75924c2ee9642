# Seed 004 (Assistants API 做一个自己的 GPT): the tutorial's code, verbatim apart from formatting.
# The assistant id came from the Playground; tests set ``assistant_id`` before use.
# ruff: noqa
# type: ignore
from openai import OpenAI
import os

from dotenv import load_dotenv, find_dotenv

_ = load_dotenv(find_dotenv())

import json


def show_json(obj):
    """把任意对象用排版美观的 JSON 格式打印出来"""
    print(json.dumps(json.loads(obj.model_dump_json()), indent=4, ensure_ascii=False))


# 初始化 OpenAI 服务
client = OpenAI()  # openai >= 1.3.0 起，OPENAI_API_KEY 和 OPENAI_BASE_URL 会被默认使用

assistant_id = "asst_MZjUfsqPFEyxmPPqoHYAwV6Z"

import time


def wait_on_run(run, thread):
    """等待 run 结束，返回 run 对象，和成功的结果"""
    while run.status == "queued" or run.status == "in_progress":
        """还未中止"""
        run = client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id)
        print("status: " + run.status)

        # 打印调用工具的 step 详情
        if run.status == "completed":
            run_steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, order="asc")
            for step in run_steps.data:
                if step.step_details.type == "tool_calls":
                    show_json(step.step_details)

        # 等待 1 秒
        time.sleep(1)

    if run.status == "requires_action":
        """需要调用函数"""
        # 可能有多个函数需要调用，所以用循环
        tool_outputs = []
        for tool_call in run.required_action.submit_tool_outputs.tool_calls:
            # 调用函数
            name = tool_call.function.name
            print("调用函数：" + name + "()")
            print("参数：")
            print(tool_call.function.arguments)
            function_to_call = available_functions[name]
            arguments = json.loads(tool_call.function.arguments)
            result = function_to_call(arguments)
            print("结果：" + str(result))
            tool_outputs.append(
                {
                    "tool_call_id": tool_call.id,
                    "output": json.dumps(result),
                }
            )

        # 提交函数调用的结果
        run = client.beta.threads.runs.submit_tool_outputs(
            thread_id=thread.id,
            run_id=run.id,
            tool_outputs=tool_outputs,
        )

        # 递归调用，直到 run 结束
        return wait_on_run(run, thread)

    if run.status == "completed":
        """成功"""
        # 获取全部消息
        messages = client.beta.threads.messages.list(thread_id=thread.id)
        # 最后一条消息排在第一位
        result = messages.data[0].content[0].text.value
        return run, result

    # 执行失败
    return run, None


def create_message_and_run(content, thread):
    """创建消息并执行"""
    client.beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content=content,
    )
    run = client.beta.threads.runs.create(
        assistant_id=assistant_id,
        thread_id=thread.id,
    )
    return run


import sqlite3

# 创建数据库连接
conn = sqlite3.connect(":memory:")
cursor = conn.cursor()

# 创建orders表
cursor.execute(
    """
CREATE TABLE orders (
    id INT PRIMARY KEY NOT NULL, -- 主键，不允许为空
    customer_id INT NOT NULL, -- 客户ID，不允许为空
    product_id STR NOT NULL, -- 产品ID，不允许为空
    price DECIMAL(10,2) NOT NULL, -- 价格，不允许为空
    status INT NOT NULL, -- 订单状态，整数类型，不允许为空。0代表待支付，1代表已支付，2代表已退款
    create_time TIMESTAMP DEFAULT CURRENT_TIMESTAMP, -- 创建时间，默认为当前时间
    pay_time TIMESTAMP -- 支付时间，可以为空
);
"""
)

# 插入5条明确的模拟记录
mock_data = [
    (1, 1001, "TSHIRT_1", 50.00, 0, "2023-10-12 10:00:00", None),
    (2, 1001, "TSHIRT_2", 75.50, 1, "2023-10-16 11:00:00", "2023-08-16 12:00:00"),
    (3, 1002, "SHOES_X2", 25.25, 2, "2023-10-17 12:30:00", "2023-08-17 13:00:00"),
    (4, 1003, "HAT_Z112", 60.75, 1, "2023-10-20 14:00:00", "2023-08-20 15:00:00"),
    (5, 1002, "WATCH_X001", 90.00, 0, "2023-10-28 16:00:00", None),
]

for record in mock_data:
    cursor.execute(
        """
    INSERT INTO orders (id, customer_id, product_id, price, status, create_time, pay_time)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    """,
        record,
    )

# 提交事务
conn.commit()


def ask_database(arguments):
    cursor.execute(arguments["query"])
    records = cursor.fetchall()
    return records


# 可以被回调的函数放入此字典
available_functions = {
    "ask_database": ask_database,
}
